#!/usr/bin/python3
"""PyTorch CPU peer of bench/head_training.ts: the features preset's multi-task head on one thread.

7190 inputs -> Linear(256) -> ReLU -> Linear(27), nine softmax heads over blocks of the 27 logits (the
cross-entropies summed), an L2 penalty of 0.1 on both kernels, SGD with momentum 0.9 and lr 0.001, batch 32;
then the validation pass: 2030 rows (203 cases x 10 views) in batches of 64, softmax per head.

    /usr/bin/python3 bench/torch_head.py [--steps 200]
Prints one JSON object: milliseconds per training step and per validation pass.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
args = sys.argv[1:]
steps = int(args[args.index("--steps") + 1]) if "--steps" in args else 200
D, HIDDEN, BATCH, ROWS = 7190, 256, 32, 2030
BLOCKS = [3, 3, 3, 2, 3, 2, 3, 5, 3]  # the multi-task model's heads, 27 classes

torch.manual_seed(1)
hidden = torch.nn.Linear(D, HIDDEN)
logits = torch.nn.Linear(HIDDEN, sum(BLOCKS))
params = list(hidden.parameters()) + list(logits.parameters())
opt = torch.optim.SGD(params, lr=0.001, momentum=0.9)
x = torch.randn(BATCH, D).abs()
targets = [torch.arange(BATCH) % k for k in BLOCKS]


def forward(inputs):
    z = logits(torch.relu(hidden(inputs)))
    return torch.split(z, BLOCKS, dim=1)


def step():
    opt.zero_grad()
    loss = sum(torch.nn.functional.cross_entropy(z, t) for z, t in zip(forward(x), targets))
    loss = loss + 0.1 * (hidden.weight.square().sum() + logits.weight.square().sum())
    loss.backward()
    opt.step()
    return loss


for _ in range(10):
    step()
t0 = time.perf_counter()
for _ in range(steps):
    last = step()
float(last)
step_ms = (time.perf_counter() - t0) / steps * 1000

table = torch.randn(ROWS, D).abs()
with torch.no_grad():
    t1 = time.perf_counter()
    reps = 3
    for _ in range(reps):
        for i in range(0, ROWS, 64):
            [torch.softmax(z, dim=1) for z in forward(table[i:i + 64])]
    valid_ms = (time.perf_counter() - t1) / reps * 1000

print(json.dumps({"version": torch.__version__, "step_ms": step_ms, "valid_ms": valid_ms}))
