#!/usr/bin/env bash
# Executes notebooks/*.ipynb in order through Jupyter with the Deno kernel (tools/nbrun.py) and
# writes the executed copies to outputs/<synthetic|real>/notebooks/ (quick profile:
# outputs/quick-<synthetic|real>/notebooks/), so that real and synthetic runs never overwrite each
# other; $NOTEBOOK_OUT_DIR overrides the folder. Executed notebooks of real data embed the user's
# licensed Derm7pt images: that folder gets a README saying they must not be shared.
# A status line on stderr shows the running cell and the notebooks' progress (images/s, ETA).
# Stops at the first failing notebook.
# Usage: tools/run_notebooks.sh [NOTEBOOK...]   (default: all, in name order)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/tools/setup.sh"
cd "$ROOT"
KIND=synthetic
if [ -n "${DERM7PT_DIR:-}" ] && [ ! -f "$DERM7PT_DIR/SYNTHETIC.json" ]; then KIND=real; fi
[ "${DERM7PT_PROFILE:-full}" = quick ] && KIND="quick-$KIND"
OUT_DIR="${NOTEBOOK_OUT_DIR:-${DERM7PT_OUTPUTS:-$ROOT/outputs}/$KIND/notebooks}"
mkdir -p "$OUT_DIR"
if [ "${KIND#quick-}" = real ]; then
  cat >"$OUT_DIR/README.md.tmp-$$" <<'TEXT'
# Executed notebooks of REAL Derm7pt data: do not share

These notebooks were executed on your own copy of the Derm7pt release. Their outputs embed its licensed
images (notebook 01's clinical/dermoscopic pairs, notebook 07's case reports and Grad-CAM overlays) and
results computed from them. The release's terms allow academic research use only and forbid
redistribution: do not commit, publish or send these files. Share the synthetic ones
(outputs/synthetic/notebooks/) to show what the toolkit does.
TEXT
else
  cat >"$OUT_DIR/README.md.tmp-$$" <<'TEXT'
# Executed notebooks of SYNTHETIC data

Every number, table and image in these notebooks describes the synthetic Derm7pt-format release (drawn
lesions, not patients). Executed notebooks of real data go to outputs/real/notebooks/ and must not be shared.
TEXT
fi
mv "$OUT_DIR/README.md.tmp-$$" "$OUT_DIR/README.md"
if [ $# -gt 0 ]; then nbs=("$@"); else nbs=(notebooks/*.ipynb); fi
echo "executing ${#nbs[@]} notebook(s) on $KIND data; executed copies go to $OUT_DIR" >&2
for nb in "${nbs[@]}"; do
  /usr/bin/python3 "$ROOT/tools/nbrun.py" "$nb" --out "$OUT_DIR/$(basename "$nb")"
done
