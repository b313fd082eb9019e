#!/usr/bin/env bash
# The GPU device check, run on a lent GPU machine from the repository root (see the notes of the
# model issue). It needs, carried beside the tree (none is committed):
#   .gl/*.deb            Vulkan/GL loader packages (Debian), unpacked into / here
#   .device/deno.xz      the pinned Deno binary, xz-compressed (the machine has no network)
#   .device/gpu_check.js bench/gpu_check.ts bundled with its npm dependencies (deno bundle)
# Prepare them with: bash bench/gpu_check.sh --prepare
set -uo pipefail
if [ "${1:-}" = "--prepare" ]; then
  . tools/setup.sh
  mkdir -p .device
  deno bundle --platform deno -o .device/gpu_check.js bench/gpu_check.ts
  deno bundle --platform deno -o .device/gpu_kernels.js bench/gpu_kernels.ts
  xz -T2 -6 -c .tools/deno/node_modules/deno/deno > .device/deno.xz
  exit 0
fi
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
ls /usr/local/nvidia/share/vulkan/icd.d/ 2>&1 | head -3
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
xz -dc .device/deno.xz > /tmp/deno && chmod +x /tmp/deno
/tmp/deno --version | head -1
OUT_DIR="${OUT:-/tmp}"
if [ "${1:-}" = "--kernels" ]; then
  # which gradient kernel is slow, and does replacing it help a training step?
  timeout 150 /tmp/deno run -A .device/gpu_kernels.js 2>&1 | grep -v "^Hi, looks\|^====\|^$" | tee "$OUT_DIR/gpu_kernels.json"
  GPU_CHECK_OURS=1 GPU_CHECK_SKIP_FORWARD=1 GPU_CHECK_BATCHES=8 timeout 150 /tmp/deno run -A .device/gpu_check.js 2>&1 | grep -v "^Hi, looks\|^====\|^$" | tee "$OUT_DIR/gpu_train_ours.json"
  exit 0
fi
timeout 420 /tmp/deno run -A .device/gpu_check.js 2>&1 | grep -v "^Hi, looks\|^====\|^$" | tee "$OUT_DIR/gpu_check.json"
echo "--- PyTorch on the same GPU (reference) ---"
timeout 120 python3 - <<'PY' 2>&1 | tee "$OUT_DIR/torch_gpu.json"
import json, time, torch, torchvision
d = torch.device("cuda")
net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False).to(d)
out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
for b in (8, 32):
    x = torch.rand(b, 3, 299, 299, device=d)
    net.eval()
    with torch.no_grad():
        net(x); torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(5): net(x)
        torch.cuda.synchronize(); out[f"forward, batch {b}"] = f"{5 * b / (time.perf_counter() - t):.1f} images/s"
net.train(); opt = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9); lf = torch.nn.CrossEntropyLoss()
for b in (8, 16):
    x = torch.rand(b, 3, 299, 299, device=d); y = torch.randint(0, 1000, (b,), device=d)
    def step():
        opt.zero_grad(); lf(net(x), y).backward(); opt.step()
    step(); torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(3): step()
    torch.cuda.synchronize(); out[f"training step, batch {b}"] = f"{3 * b / (time.perf_counter() - t):.1f} images/s"
print(json.dumps(out, indent=2))
PY
