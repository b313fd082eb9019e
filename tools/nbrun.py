#!/usr/bin/python3
"""Execute Jupyter notebooks headless with the Deno kernel, through the real Jupyter protocol.

Built on Debian's nbclient, with two fixes for known Deno-kernel message faults
(see ../shared/ENVIRONMENT.md):
  1. `"transient": null` in display messages is read as `{}` (deno 2.4-2.7 crash nbclient 0.7.2);
  2. after the kernel reports `status: idle`, iopub keeps being drained until it has been silent for
     a grace period, because deno 2.9 may publish a cell's outputs a fraction of a millisecond after
     idle and plain nbclient drops them.

While it runs, a status line on stderr says which cell is running and relays the notebook's own
progress displays (display ids starting `derm7pt-progress-`: images/s, ETA), redrawn in place on a
terminal and printed at most every --progress-interval seconds otherwise (--no-progress: silent).

It stops at the first failing cell, prints that cell's error, and still writes the partly executed
notebook. Cells tagged `expect-figure` must produce an image (SVG/PNG) output, `expect-table` a DataFrame
as the Deno kernel displays it (`application/vnd.dataresource+json`), `expect-output` any output; a missing
one fails the run, and so does an HTML table that does not come with the DataFrame display (every table a
notebook shows is a nodejs-polars DataFrame).

Usage: nbrun.py NOTEBOOK.ipynb [--out EXECUTED.ipynb] [--timeout SECONDS] [--grace SECONDS] [--no-progress]
Exit status: 0 ok, 1 a cell failed or an expected output is missing, 2 bad usage.
"""
import argparse
import asyncio
import os
import shutil
import sys
import time
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async

FIGURE_TYPES = ("image/svg+xml", "image/png")
DATAFRAME_TYPE = "application/vnd.dataresource+json"
PROGRESS_PREFIX = "derm7pt-progress-"


def format_seconds(s):
    s = int(s)
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


class TerminalStatus:
    """One status line on a stream: redrawn in place on a terminal, else a line every `interval` s."""

    def __init__(self, name, stream=sys.stderr, interval=15.0, enabled=True):
        self.name, self.stream, self.interval, self.enabled = name, stream, interval, enabled
        self.tty = enabled and stream.isatty()
        self.start = time.monotonic()
        self.last_print = -float("inf")
        self.cell, self.cells, self.text, self.drawn = 0, 0, "", False

    def line(self):
        head = f"[{self.name} · cell {self.cell}/{self.cells} · {format_seconds(time.monotonic() - self.start)}]"
        return f"{head} {self.text}".rstrip()

    def show(self, force=False):
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            width = shutil.get_terminal_size((120, 20)).columns - 1
            self.stream.write("\r" + self.line()[:width] + "\x1b[K")
            self.drawn = True
        elif force or now - self.last_print >= self.interval:
            self.stream.write(self.line() + "\n")
            self.last_print = now
        self.stream.flush()

    def cell_started(self, index, total):
        self.cell, self.cells, self.text = index, total, ""
        self.show()

    def progress(self, text):
        self.text = text
        self.show()

    def finish(self):
        if self.tty and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class RobustDenoClient(NotebookClient):
    """NotebookClient that tolerates the Deno kernel's late and malformed iopub messages."""

    grace = 0.25
    terminal = None  # a TerminalStatus relaying progress displays, or None

    def process_message(self, msg, cell, cell_index):
        content = msg.get("content", {})
        if "transient" in content and content["transient"] is None:
            content["transient"] = {}
        if self.terminal and msg.get("msg_type") in ("display_data", "update_display_data"):
            display_id = (content.get("transient") or {}).get("display_id") or ""
            if display_id.startswith(PROGRESS_PREFIX):
                self.terminal.progress(str(content.get("data", {}).get("text/plain", "")).strip())
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
        if "expect-table" in tags and DATAFRAME_TYPE not in data_types:
            problems.append(f"cell {i} is tagged expect-table but produced no DataFrame display ({DATAFRAME_TYPE}; got {sorted(data_types) or 'nothing'})")
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if "<table" in html and DATAFRAME_TYPE not in data:
                problems.append(f"cell {i} shows an HTML table that is not a DataFrame display")
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
    ap.add_argument("--no-progress", action="store_true", help="no status line on stderr while running")
    ap.add_argument(
        "--progress-interval",
        type=float,
        default=15.0,
        help="seconds between status lines when stderr is not a terminal (default 15)",
    )
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
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    terminal = TerminalStatus(name.replace(".ipynb", ""), interval=args.progress_interval, enabled=not args.no_progress)
    client.terminal = terminal
    # nbclient calls this for markdown cells too: only code cells count
    client.on_cell_start = lambda cell, cell_index: (
        terminal.cell_started(code_cells.index(cell_index) + 1, len(code_cells)) if cell_index in code_cells else None
    )
    status = 0
    try:
        try:
            client.execute()
        finally:
            terminal.finish()
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
