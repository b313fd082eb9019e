#!/usr/bin/env bash
# Idempotent set-up of everything the toolkit needs, on Debian with Node.js + npm:
#   - Deno (pinned, from npm) in .tools/deno
#   - Jupyter's Python client (Debian packages: nbclient, nbconvert, jupyter-core/client)
#   - poppler-utils (Debian: pdftoppm, pdffonts) to check the exported PDFs
#   - OpenBLAS (Debian libopenblas0-pthread) for the heads' matrix products
#   - (functions for the others: derm7pt_apt_install PKG..., derm7pt_setup_browser_test)
#   - a software WebGPU adapter for the webgpu tests (Debian mesa-vulkan-drivers + libvulkan1, unless
#     Mesa's EGL/GL software driver is already there)
#   - the npm packages of deno.json (Deno-managed node_modules, pinned by deno.lock)
#   - a project-local Jupyter kernelspec for Deno in .tools/jupyter
# Source it (`. tools/setup.sh`) to get PATH and JUPYTER_PATH set; running it also works.
# Fast when already set up (a few version checks).
# When sourced, the caller's shell options are restored at the end (no errexit leaks into it).
__derm7pt_saved_opts="$(set +o)"
# $(set +o) runs in a subshell, where bash resets errexit: record the caller's from $- instead
case $- in *e*) __derm7pt_saved_opts="$__derm7pt_saved_opts"$'\n'"set -o errexit" ;; esac
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO_VERSION="2.9.6"
TOOLS="$ROOT/.tools"
DENO_BIN="$TOOLS/deno/node_modules/deno/deno"
log() { echo "[setup] $*" >&2; }
# Failing must not kill an interactive shell that sourced this file: restore its options, then return.
fail() { echo "$*" >&2; eval "$__derm7pt_saved_opts"; }

# 1. Deno, pinned, in its own tool folder (never in the project's node_modules).
if ! [ -x "$DENO_BIN" ] || [ "$("$DENO_BIN" --version 2>/dev/null | head -1 | awk '{print $2}')" != "$DENO_VERSION" ]; then
  command -v npm >/dev/null || { fail "Cannot set up: expected npm (Node.js) on PATH, found none"; return 1 2>/dev/null || exit 1; }
  log "installing deno@$DENO_VERSION with npm into .tools/deno"
  mkdir -p "$TOOLS/deno"
  npm install --prefix "$TOOLS/deno" --no-audit --no-fund --loglevel=error "deno@$DENO_VERSION" >&2 ||
    { fail "Cannot set up: npm install deno@$DENO_VERSION failed"; return 1 2>/dev/null || exit 1; }
  # The npm package carries the native binary in @deno/linux-x64-glibc; its postinstall may be skipped.
  if ! [ -x "$DENO_BIN" ]; then
    alt=$(find "$TOOLS/deno/node_modules/@deno" -maxdepth 2 -type f -name deno 2>/dev/null | head -1)
    [ -n "$alt" ] && { cp "$alt" "$DENO_BIN"; chmod +x "$DENO_BIN"; }
  fi
  "$DENO_BIN" --version >/dev/null || { fail "Cannot set up: the deno binary at $DENO_BIN does not run"; return 1 2>/dev/null || exit 1; }
fi
export PATH="$TOOLS/deno/node_modules/.bin:$PATH"

# Debian packages, installed with apt-get (waiting for the apt lock; one `apt-get update` on failure).
# Usage: derm7pt_apt_install PKG... (log: /tmp/derm7pt-apt.log). Also used by tools/notebook.sh and test.sh.
derm7pt_apt_install() {
  local sudo="" opts="-o DPkg::Lock::Timeout=300"
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "apt-get needs root and there is no sudo" >>/tmp/derm7pt-apt.log; return 1; }
    sudo="sudo"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get $opts install -y --no-install-recommends "$@" >>/tmp/derm7pt-apt.log 2>&1 && return 0
  $sudo apt-get $opts update >>/tmp/derm7pt-apt.log 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get $opts install -y --no-install-recommends "$@" >>/tmp/derm7pt-apt.log 2>&1
}

# What the browser test needs (Debian's chromium and Jupyter Notebook server); tools/test.sh calls this.
# Without them the browser test is skipped with a message, so a failure here is reported, not fatal.
derm7pt_setup_browser_test() {
  if command -v chromium >/dev/null && /usr/bin/python3 -c "import notebook" 2>/dev/null; then return 0; fi
  echo "[setup] installing chromium and jupyter-notebook (Debian) for the browser test" >&2
  derm7pt_apt_install chromium jupyter-notebook ||
    echo "[setup] could not install chromium and jupyter-notebook (log: /tmp/derm7pt-apt.log); the browser test will be skipped" >&2
}

# 2. Jupyter (Debian packages; PyPI is not reachable). Always /usr/bin/python3.
if ! /usr/bin/python3 -c "import nbclient, nbformat, jupyter_client" 2>/dev/null; then
  log "installing Jupyter's client from Debian packages"
  PKGS="jupyter-nbconvert python3-nbclient jupyter-core jupyter-client"
  derm7pt_apt_install $PKGS ||
    { fail "Cannot set up Jupyter: apt-get install $PKGS failed (log: /tmp/derm7pt-apt.log)"; return 1 2>/dev/null || exit 1; }
fi

# 2b. poppler-utils (Debian): pdftoppm and pdffonts, with which the tests render and inspect the exported PDFs.
if ! command -v pdftoppm >/dev/null || ! command -v pdffonts >/dev/null; then
  log "installing poppler-utils from Debian packages"
  derm7pt_apt_install poppler-utils ||
    { fail "Cannot set up poppler-utils: apt-get install poppler-utils failed (log: /tmp/derm7pt-apt.log)"; return 1 2>/dev/null || exit 1; }
fi

# 2c. A WebGPU adapter for the webgpu training tests: Mesa's software rasteriser, through Vulkan
# (lavapipe: mesa-vulkan-drivers + libvulkan1) or through EGL/GL (llvmpipe: libegl-mesa0 + libgl1-mesa-dri,
# often installed already). Installed only when neither is there.
LIBDIR=/usr/lib/x86_64-linux-gnu
if ! { [ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ] && [ -e "$LIBDIR/libvulkan.so.1" ]; } &&
  ! { [ -e /usr/share/glvnd/egl_vendor.d/50_mesa.json ] && [ -e "$LIBDIR/libEGL.so.1" ] && [ -e "$LIBDIR/dri/swrast_dri.so" ]; }; then
  log "installing Mesa's Vulkan software driver (lavapipe) from Debian packages, for the webgpu tests"
  derm7pt_apt_install mesa-vulkan-drivers libvulkan1 ||
    { fail "Cannot set up a WebGPU adapter: apt-get install mesa-vulkan-drivers libvulkan1 failed (log: /tmp/derm7pt-apt.log)"; return 1 2>/dev/null || exit 1; }
fi

# 2d. OpenBLAS (Debian): the wasm backend hands its matrix products to it through Deno's FFI (lib/model/blas.ts),
# about 4 times faster than wasm for the heads' shapes. It is optional at run time (without it the products stay
# on wasm: slower, and rounded in wasm's order), so a failed install is a warning here; the test that
# expects it then fails with the reason. Skipped when DERM7PT_NO_BLAS or DERM7PT_BLAS chooses for the user.
# (grep without -q: with pipefail, grep leaving early would fail the pipe on ldconfig's broken pipe)
if [ -z "${DERM7PT_NO_BLAS:-}${DERM7PT_BLAS:-}" ] &&
  ! /sbin/ldconfig -p 2>/dev/null | grep -E "libopenblas\.so\.0 \(libc6,(x86-64|AArch64)" >/dev/null; then
  log "installing OpenBLAS (libopenblas0-pthread) from Debian packages"
  derm7pt_apt_install libopenblas0-pthread ||
    log "warning: apt-get install libopenblas0-pthread failed (log: /tmp/derm7pt-apt.log); matrix products stay on wasm"
fi

# 3. npm packages, pinned by deno.lock.
if ! [ -f "$ROOT/node_modules/.deno/.setup-stamp" ] || [ "$ROOT/deno.lock" -nt "$ROOT/node_modules/.deno/.setup-stamp" ] || [ "$ROOT/deno.json" -nt "$ROOT/node_modules/.deno/.setup-stamp" ]; then
  log "installing npm packages (deno install --frozen)"
  (cd "$ROOT" && "$DENO_BIN" install --frozen --quiet >&2) ||
    { fail "Cannot set up: deno install --frozen failed (is deno.lock up to date with deno.json?)"; return 1 2>/dev/null || exit 1; }
  touch "$ROOT/node_modules/.deno/.setup-stamp"
fi

# 4. A project-local Deno kernelspec (absolute path to the pinned binary, no colour codes).
KERNEL_DIR="$TOOLS/jupyter/kernels/deno"
KERNEL_JSON="{\"argv\": [\"$DENO_BIN\", \"jupyter\", \"--kernel\", \"--conn\", \"{connection_file}\"], \"display_name\": \"Deno\", \"language\": \"typescript\", \"env\": {\"NO_COLOR\": \"1\"}}"
if [ "$(cat "$KERNEL_DIR/kernel.json" 2>/dev/null)" != "$KERNEL_JSON" ]; then
  mkdir -p "$KERNEL_DIR"
  echo "$KERNEL_JSON" >"$KERNEL_DIR/kernel.json"
fi
export JUPYTER_PATH="$TOOLS/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export DENO_NO_UPDATE_CHECK=1
eval "$__derm7pt_saved_opts"
unset __derm7pt_saved_opts
