#!/usr/bin/env bash
# Executes notebooks/*.ipynb in order through Jupyter with the Deno kernel (tools/nbrun.py) and
# writes the executed copies to outputs/notebooks/. Stops at the first failing notebook.
# Usage: tools/run_notebooks.sh [NOTEBOOK...]   (default: all, in name order)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/tools/setup.sh"
cd "$ROOT"
OUT_DIR="${NOTEBOOK_OUT_DIR:-$ROOT/outputs/notebooks}"
mkdir -p "$OUT_DIR"
if [ $# -gt 0 ]; then nbs=("$@"); else nbs=(notebooks/*.ipynb); fi
for nb in "${nbs[@]}"; do
  /usr/bin/python3 "$ROOT/tools/nbrun.py" "$nb" --out "$OUT_DIR/$(basename "$nb")"
done
