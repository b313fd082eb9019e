#!/usr/bin/python3
"""PyTorch CPU peer of bench/model_throughput.ts: torchvision InceptionV3 at 299x299, forward
(images/s, batch 8) and a training step (images/s, batch 8), OMP_NUM_THREADS=2 (both cores).

    OMP_NUM_THREADS=2 /usr/bin/python3 bench/torch_inception.py
"""
import json
import time

import torch
import torchvision

torch.set_num_threads(2)
net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
x = torch.rand(8, 3, 299, 299)
out = {}
net.eval()
with torch.no_grad():
    net(x)
    t = time.perf_counter()
    for _ in range(3):
        net(x)
    out["forward, 2 threads, batch 8"] = f"{24 / (time.perf_counter() - t):.2f} images/s"
net.train()
opt = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9)
y = torch.randint(0, 1000, (8,))
loss_fn = torch.nn.CrossEntropyLoss()
def step():
    opt.zero_grad()
    loss_fn(net(x), y).backward()
    opt.step()
step()
t = time.perf_counter()
for _ in range(2):
    step()
out["training step, whole network, 2 threads, batch 8"] = f"{16 / (time.perf_counter() - t):.2f} images/s"
out["torch"] = torch.__version__
print(json.dumps(out, indent=2))
