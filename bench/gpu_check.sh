#!/usr/bin/env bash
# The GPU check (issue 15), one script for a machine with an NVIDIA (or other Vulkan) GPU:
#   1. bench/gpu_check.ts: Deno's WebGPU adapter; InceptionV3 at 299 px forward and training step
#      (whole network, this project's kernels) at batch 8 and 32; the profile of one training step;
#      tfjs' convolution filter gradient against this project's tiled one
#   2. bench/paper_epoch.ts: one real epoch of the paper preset on the synthetic release, every stage
#      timed, and the projected time of the full schedule
#   3. PyTorch on the same GPU, as the reference (when python3 has torch and torchvision)
# Results go to $OUT (default outputs/gpu_check/): gpu_check.json, paper_epoch.md, torch_gpu.json, log.txt.
#
#   bash bench/gpu_check.sh              on a machine with network access: tools/setup.sh installs Deno
#                                        and the npm packages first
#   bash bench/gpu_check.sh --prepare    packs .device/ (the pinned Deno, xz-compressed, and gpu_check.ts
#                                        bundled) for a lent machine without network; there, with .device/
#                                        (and optionally .gl/*.deb, Vulkan loader packages) carried beside
#                                        the tree, the script runs step 1 and 3 only: the paper epoch needs
#                                        the npm packages (sharp, onnxruntime) that cannot be bundled.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "${1:-}" = "--prepare" ]; then
  . tools/setup.sh
  mkdir -p .device
  deno bundle --platform deno -o .device/gpu_check.js bench/gpu_check.ts
  xz -T2 -6 -c .tools/deno/node_modules/deno/deno >.device/deno.xz
  exit 0
fi
OUT_DIR="${OUT:-$ROOT/outputs/gpu_check}"
mkdir -p "$OUT_DIR"
exec > >(tee "$OUT_DIR/log.txt") 2>&1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: none"
if [ -f .device/gpu_check.js ] && ! [ -x .tools/deno/node_modules/deno/deno ]; then
  # a lent machine without network: Vulkan loader packages, the NVIDIA ICD, the carried Deno
  for f in .gl/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
  ldconfig 2>/dev/null || true
  ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$ICD" ] && export VK_DRIVER_FILES="$ICD"
  xz -dc .device/deno.xz >/tmp/deno && chmod +x /tmp/deno
  DENO="/tmp/deno" GPU_CHECK=".device/gpu_check.js" PAPER=""
else
  . tools/setup.sh || exit 1
  DENO="deno" GPU_CHECK="bench/gpu_check.ts" PAPER="bench/paper_epoch.ts"
fi
"$DENO" --version | head -1
echo "--- 1. forward, training step, profile, filter gradient (bench/gpu_check.ts) ---"
timeout 420 "$DENO" run -A "$GPU_CHECK" | tee "$OUT_DIR/gpu_check.json"
echo "--- 2. one epoch of the paper preset, projected schedule (bench/paper_epoch.ts) ---"
if [ -n "$PAPER" ]; then
  timeout 600 "$DENO" run -A "$PAPER" | tee "$OUT_DIR/paper_epoch.md"
else
  echo "skipped: needs the project's npm packages (run without .device/ on a machine with network access)"
fi
echo "--- 3. PyTorch on the same GPU (reference) ---"
timeout 120 python3 bench/torch_gpu.py 2>&1 | tee "$OUT_DIR/torch_gpu.json"
