#!/usr/bin/python3
"""Build a .ipynb (no outputs) from a plain-text source where cells are separated by lines
`// %% [markdown]` (prose: the following `// ` comment lines become a markdown cell) or
`// %% code` / `// %% code [tag, tag]` (code). Used to author notebooks/*.ipynb from notebooks/src/*.ts.

Any other line starting with `// %%` is an error (a mistyped marker would otherwise turn prose into
comments at the end of the previous code cell), and so is a prose line that is not a `//` comment.

Usage: tools/ipynb.py notebooks/src/01_dataset.ts notebooks/01_dataset.ipynb
Exit status: 0 written, 1 a malformed source (file and line named), 2 bad usage.
"""
import json
import re
import sys

MARKER = re.compile(r"^// %% (?:(?P<markdown>\[markdown\])|(?P<code>code)(?: \[(?P<tags>[^\]]*)\])?)\s*$")


class SourceError(ValueError):
    pass


def build(src, name="<source>"):
    cells = []
    kind, tags, lines, start = None, [], [], 0

    def flush():
        if kind is None:
            if any(l.strip() for l in lines):
                raise SourceError(f"{name}:1: expected a `// %% [markdown]` or `// %% code` marker before the first line")
            return
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            out = []
            for k, l in enumerate(text.split("\n")):
                if l.startswith("// "):
                    out.append(l[3:])
                elif l.strip() in ("//", ""):
                    out.append("")
                else:
                    raise SourceError(
                        f"{name}:{start + 1 + k}: expected a `// ` prose line in a markdown cell, found {l!r}"
                    )
            text = "\n".join(out).strip("\n")
            cells.append({"cell_type": "markdown", "metadata": {}, "source": text.splitlines(keepends=True)})
        else:
            meta = {"tags": tags} if tags else {}
            cells.append({
                "cell_type": "code",
                "execution_count": None,
                "metadata": meta,
                "outputs": [],
                "source": text.splitlines(keepends=True),
            })

    for i, line in enumerate(src.split("\n")):
        if line.startswith("// %%"):
            m = MARKER.match(line)
            if not m:
                raise SourceError(
                    f"{name}:{i + 1}: expected `// %% [markdown]` or `// %% code [tags]`, found {line!r}"
                )
            flush()
            kind = "markdown" if m.group("markdown") else "code"
            tags = [t.strip() for t in (m.group("tags") or "").split(",") if t.strip()]
            lines, start = [], i + 1
        else:
            lines.append(line)
    flush()
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Deno", "language": "typescript", "name": "deno"},
            "language_info": {"name": "typescript", "file_extension": ".ts", "mimetype": "text/x.typescript"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    src, dst = sys.argv[1], sys.argv[2]
    try:
        nb = build(open(src, encoding="utf-8").read(), src)
    except SourceError as e:
        print(f"Cannot build {dst}: {e}", file=sys.stderr)
        sys.exit(1)
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"c{i:02d}"
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")
