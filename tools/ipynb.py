#!/usr/bin/python3
"""Build a .ipynb (no outputs) from a plain-text source where cells are separated by lines
`# %% [markdown]` or `# %% code [tag, tag]`. Used to author notebooks/*.ipynb from notebooks/src/*.ts.

Usage: tools/ipynb.py notebooks/src/01_dataset.ts notebooks/01_dataset.ipynb
"""
import json
import re
import sys


def build(src):
    cells = []
    kind, tags, lines = None, [], []

    def flush():
        if kind is None:
            return
        text = "\n".join(lines).strip("\n")
        if kind == "markdown":
            text = "\n".join(l[3:] if l.startswith("// ") else ("" if l == "//" else l) for l in text.split("\n"))
            cells.append({"cell_type": "markdown", "metadata": {}, "source": text.splitlines(keepends=True)})
        else:
            meta = {"tags": tags} if tags else {}
            cells.append({"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [], "source": text.splitlines(keepends=True)})

    for line in src.split("\n"):
        m = re.match(r"^// %% (markdown|code)(?: \[(.*)\])?\s*$", line)
        if m:
            flush()
            kind = m.group(1)
            tags = [t.strip() for t in (m.group(2) or "").split(",") if t.strip()]
            lines = []
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
    src, dst = sys.argv[1], sys.argv[2]
    nb = build(open(src, encoding="utf-8").read())
    for i, c in enumerate(nb["cells"]):
        c["id"] = f"c{i:02d}"
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")
