#!/usr/bin/env bash
# The main job: sets the machine up (tools/setup.sh), then executes every notebook in order through
# Jupyter with the Deno kernel on the default data (the synthetic release, written on first use,
# unless $DERM7PT_DIR points at a real Derm7pt release) and writes tables, figures and the executed
# notebooks under outputs/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/tools/setup.sh"
cd "$ROOT"
start=$(date +%s)
"$ROOT/tools/run_notebooks.sh" "$@"
echo "main job finished in $(( $(date +%s) - start ))s; outputs in $ROOT/outputs" >&2
