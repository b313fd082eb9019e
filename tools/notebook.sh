#!/usr/bin/env bash
# Opens the notebooks for interactive use. Sets up what it needs (tools/setup.sh: Deno, the npm packages,
# Jupyter's client and the project-local Deno kernel; plus Debian's Jupyter Notebook server,
# `jupyter-notebook`), then starts a Jupyter Notebook server in notebooks/, bound to 127.0.0.1 and
# protected by a token, and prints the URL to open. Idempotent and fast when already set up.
#
# Usage: bash tools/notebook.sh [--port P] [--no-browser]
#   --port P       the port (default 8888; the server refuses to start when it is taken)
#   --no-browser   do not try to open a browser (the URL is printed either way)
# Environment: JUPYTER_TOKEN (default: a fresh random token), DERM7PT_DIR, MCLASS_DIR, DERM7PT_PROFILE
# as for the notebooks. Stop the server with Ctrl-C.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT=8888
BROWSER=1
while [ $# -gt 0 ]; do
  case "$1" in
    --port)
      [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] && [ "$2" -le 65535 ] ||
        { echo "Cannot start the notebook server: expected --port followed by a port number 1-65535, found '${2:-}'" >&2; exit 2; }
      PORT="$2"; shift 2 ;;
    --no-browser) BROWSER=0; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Cannot start the notebook server: unknown option '$1' (expected --port P or --no-browser)" >&2; exit 2 ;;
  esac
done
. "$ROOT/tools/setup.sh"
if ! /usr/bin/python3 -c "import notebook" 2>/dev/null; then
  echo "[notebook] installing Debian's Jupyter Notebook server (jupyter-notebook)" >&2
  derm7pt_apt_install jupyter-notebook ||
    { echo "Cannot start the notebook server: apt-get install jupyter-notebook failed (log: /tmp/derm7pt-apt.log)" >&2; exit 1; }
fi
TOKEN="${JUPYTER_TOKEN:-$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(24))')}"
URL="http://127.0.0.1:$PORT/tree?token=$TOKEN"
echo "[notebook] Jupyter Notebook on $URL (the project's Deno kernel is \"Deno\"; Ctrl-C stops it)" >&2
echo "$URL"
args=(--ip=127.0.0.1 --port="$PORT" --NotebookApp.port_retries=0 --NotebookApp.token="$TOKEN"
  --notebook-dir="$ROOT/notebooks" --NotebookApp.open_browser=False)
[ "$BROWSER" = 1 ] && args[${#args[@]}-1]="--NotebookApp.open_browser=True"
[ "$(id -u)" = 0 ] && args+=(--allow-root) # containers often run as root; the server is still loopback-only
# the server's cookie secret and the kernels' connection files stay in the project
export JUPYTER_RUNTIME_DIR="${JUPYTER_RUNTIME_DIR:-$ROOT/.tools/jupyter/runtime}"
# the page loads custom/custom.js from the config folder: cells of the Deno kernel run one at a time
# (tools/jupyter/custom.js says why)
export JUPYTER_CONFIG_DIR="${JUPYTER_CONFIG_DIR:-$ROOT/.tools/jupyter/config}"
mkdir -p "$JUPYTER_CONFIG_DIR/custom"
cp "$ROOT/tools/jupyter/custom.js" "$JUPYTER_CONFIG_DIR/custom/custom.js"
cd "$ROOT/notebooks"
exec /usr/bin/python3 -m notebook "${args[@]}"
