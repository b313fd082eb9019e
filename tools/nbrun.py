#!/usr/bin/python3
"""Execute Jupyter notebooks headless with the Deno kernel, through the real Jupyter protocol.

Built on Debian's nbclient, with two fixes for known Deno-kernel message faults
(see ../shared/ENVIRONMENT.md):
  1. `"transient": null` in display messages is read as `{}` (deno 2.4-2.7 crash nbclient 0.7.2);
  2. after the kernel reports `status: idle`, iopub keeps being drained until it has been silent for
     a grace period, because deno 2.9 may publish a cell's outputs a fraction of a millisecond after
     idle and plain nbclient drops them.

It stops at the first failing cell, prints that cell's error, and still writes the partly executed
notebook. Cells tagged `expect-figure` must produce an image (SVG/PNG) output, `expect-table` an HTML
or Markdown output, `expect-output` any output; a missing one fails the run.

Usage: nbrun.py NOTEBOOK.ipynb [--out EXECUTED.ipynb] [--timeout SECONDS] [--grace SECONDS]
Exit status: 0 ok, 1 a cell failed or an expected output is missing, 2 bad usage.
"""
import argparse
import asyncio
import os
import sys
import time
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async

FIGURE_TYPES = ("image/svg+xml", "image/png")
TABLE_TYPES = ("text/html", "text/markdown")


class RobustDenoClient(NotebookClient):
    """NotebookClient that tolerates the Deno kernel's late and malformed iopub messages."""

    grace = 0.25

    def process_message(self, msg, cell, cell_index):
        content = msg.get("content", {})
        if "transient" in content and content["transient"] is None:
            content["transient"] = {}
        return super().process_message(msg, cell, cell_index)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        idle_seen = False
        while True:
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=self.grace if idle_seen else None)
                )
            except Empty:
                return  # silent for the grace period after idle: the cell is complete
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                idle_seen = True


def check_expectations(nb):
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        data_types = set()
        for out in cell.get("outputs", []):
            data_types.update(out.get("data", {}).keys())
            if out.get("output_type") == "stream":
                data_types.add("stream")
        has_any = bool(cell.get("outputs"))
        if "expect-figure" in tags and not data_types.intersection(FIGURE_TYPES):
            problems.append(f"cell {i} is tagged expect-figure but produced no SVG/PNG output (got {sorted(data_types) or 'nothing'})")
        if "expect-table" in tags and not data_types.intersection(TABLE_TYPES):
            problems.append(f"cell {i} is tagged expect-table but produced no HTML/Markdown output (got {sorted(data_types) or 'nothing'})")
        if "expect-output" in tags and not has_any:
            problems.append(f"cell {i} is tagged expect-output but produced no output")
    return problems


def write_atomic(nb, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebook")
    ap.add_argument("--out", help="where to write the executed notebook (default: alongside, .executed.ipynb)")
    ap.add_argument("--timeout", type=int, default=1800, help="per-cell timeout in seconds (default 1800)")
    ap.add_argument("--grace", type=float, default=0.25, help="seconds of iopub silence after idle (default 0.25)")
    ap.add_argument("--kernel", default="deno", help="kernel name (default deno)")
    args = ap.parse_args(argv)
    if not os.path.isfile(args.notebook):
        print(f"Cannot run notebook: expected a file at {args.notebook}, found none", file=sys.stderr)
        return 2
    nb = nbformat.read(args.notebook, as_version=4)
    out = args.out or args.notebook.replace(".ipynb", ".executed.ipynb")
    client = RobustDenoClient(
        nb,
        timeout=args.timeout,
        kernel_name=args.kernel,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    client.grace = args.grace
    start = time.monotonic()
    name = os.path.basename(args.notebook)
    status = 0
    try:
        client.execute()
    except CellExecutionError as e:
        failing = next(
            (i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        print(f"FAILED {name}: cell {failing} raised an error:\n{e}", file=sys.stderr)
        status = 1
    except Exception as e:  # kernel died, timeout, ...
        print(f"FAILED {name}: {type(e).__name__}: {e}", file=sys.stderr)
        status = 1
    if status == 0:
        problems = check_expectations(nb)
        for p in problems:
            print(f"FAILED {name}: {p}", file=sys.stderr)
        status = 1 if problems else 0
    write_atomic(nb, out)
    n_code = sum(1 for c in nb.cells if c.cell_type == "code")
    verdict = "ok" if status == 0 else "FAILED"
    print(f"{verdict} {name}: {n_code} code cells in {time.monotonic() - start:.1f}s -> {out}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
