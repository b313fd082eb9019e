#!/usr/bin/python3
"""PyTorch CPU peer of bench/model_throughput.ts: torchvision InceptionV3 at 299x299 on both cores
(torch.set_num_threads(2)).

- end to end: the same JPEG files as the TypeScript benchmark (paths on stdin or --files LIST),
  PIL decode + resize to 299x299 + to tensor + forward to the pooled features, batch 8, images/s
  (what a user of the Python stack would write to cache features);
- forward only (batch 8) and a training step of the whole network (batch 8), images/s.

    /usr/bin/python3 bench/torch_inception.py --files list.txt [--skip-train]
Prints one JSON object.
"""
import json
import sys
import time

import torch
import torchvision
from PIL import Image

torch.set_num_threads(2)
args = sys.argv[1:]
files = []
if "--files" in args:
    with open(args[args.index("--files") + 1]) as f:
        files = [line.strip() for line in f if line.strip()]

net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
net.fc = torch.nn.Identity()  # pooled 2048-d features, as the project's extraction to mixed10
net.eval()
out = {"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads()}

MEAN = torch.tensor([0.5, 0.5, 0.5]).view(3, 1, 1)


def load(path):
    img = Image.open(path).convert("RGB").resize((299, 299), Image.BILINEAR)
    x = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(299, 299, 3).permute(2, 0, 1)
    return x.float().div(255).sub(MEAN).div(0.5)


with torch.no_grad():
    net(torch.rand(2, 3, 299, 299))  # warm-up
    if files:
        t = time.perf_counter()
        feats = 0
        for i in range(0, len(files), 8):
            batch = torch.stack([load(p) for p in files[i:i + 8]])
            feats += net(batch).shape[0]
        s = time.perf_counter() - t
        out["end to end (PIL decode + resize + forward), batch 8"] = {
            "images": feats, "seconds": round(s, 2), "images_per_s": round(feats / s, 2)}
    x = torch.rand(8, 3, 299, 299)
    net(x)
    t = time.perf_counter()
    for _ in range(3):
        net(x)
    out["forward only, batch 8"] = {"images_per_s": round(24 / (time.perf_counter() - t), 2)}

if "--skip-train" not in args:
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=1e-4, momentum=0.9)
    head = torch.nn.Linear(2048, 1000)
    y = torch.randint(0, 1000, (8,))
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(8, 3, 299, 299)

    def step():
        opt.zero_grad()
        loss_fn(head(net(x)), y).backward()
        opt.step()

    step()
    t = time.perf_counter()
    for _ in range(2):
        step()
    out["training step, whole network, batch 8"] = {"images_per_s": round(16 / (time.perf_counter() - t), 2)}
print(json.dumps(out, indent=2))
