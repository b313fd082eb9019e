"""PyTorch reference on the GPU of bench/gpu_check.sh: torchvision InceptionV3 at 299 px, random
weights, forward (eval, no grad) and a training step (SGD with momentum, cross-entropy) at batch 8
and 32, as images/s. Prints one JSON object."""
import json
import time

import torch
import torchvision

d = torch.device("cuda")
net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False).to(d)
out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
for b in (8, 32):
    x = torch.rand(b, 3, 299, 299, device=d)
    net.eval()
    with torch.no_grad():
        net(x)
        torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(5):
            net(x)
        torch.cuda.synchronize()
        out[f"forward, batch {b}"] = f"{5 * b / (time.perf_counter() - t):.1f} images/s"
net.train()
opt = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9)
lf = torch.nn.CrossEntropyLoss()
for b in (8, 32):
    x = torch.rand(b, 3, 299, 299, device=d)
    y = torch.randint(0, 1000, (b,), device=d)

    def step():
        opt.zero_grad()
        lf(net(x), y).backward()
        opt.step()

    step()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(3):
        step()
    torch.cuda.synchronize()
    out[f"training step, batch {b}"] = f"{3 * b / (time.perf_counter() - t):.1f} images/s"
print(json.dumps(out, indent=2))
