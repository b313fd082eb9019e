#!/usr/bin/env bash
# The test command: sets the machine up (tools/setup.sh, plus chromium and jupyter-notebook from Debian
# for the browser test), then runs every test (unit, property, real-data when ../shared/data or
# $DERM7PT_DIR is there, CLI, the notebooks type-checked and executed headless through Jupyter, and
# notebooks 00-01 run through the Jupyter Notebook UI in headless Chromium) and the doc-comment
# examples of lib/.
# Ends with a line "N passed, N failed".
# Usage: tools/test.sh [extra deno test arguments, e.g. --filter wilcoxon]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/tools/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }
# the browser test drives Debian's chromium through Debian's jupyter-notebook server (installed here when
# missing; the test says it is skipped, and why, where they cannot be installed)
derm7pt_setup_browser_test
cd "$ROOT"
LOG="$(mktemp)"
set +e
NO_COLOR=1 deno test -A --doc --parallel lib/ tests/ "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$LOG" | tail -1)
passed=$(echo "$summary" | sed -E 's/.*\| ([0-9]+) passed.*/\1/')
failed=$(echo "$summary" | sed -E 's/.*\| ([0-9]+) failed.*/\1/')
rm -f "$LOG"
if [ -z "$summary" ]; then passed=0; failed=1; fi
if [ "$status" -ne 0 ] && [ "${failed:-0}" = 0 ]; then failed=1; fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
