"""PyTorch side of the threads sweep (tools/bench/lib/threads_sweep.ts).

    /usr/bin/python3 tools/bench/threads_torch.py --threads N --net mlp|convnet [--steps 20] [--warmup 3]

Trains the nets of tools/bench/backends_models.ts (same shapes, batch, SGD lr 0.05, softmax
cross-entropy, loss read back every step) with torch.set_num_threads(N) and prints one JSON line
{"threads": torch.get_num_threads(), "ms": median ms/step, "blas": [loaded BLAS libraries]}.
The caller picks the BLAS through LD_LIBRARY_PATH (Debian's OpenBLAS, OpenMP variant, so that the
GEMMs follow set_num_threads); this script installs nothing.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))
    return model, x, y


def convnet():
    torch.manual_seed(0)
    # conv3x3x16 'same' -> conv3x3x32 stride 2 (28 -> 14) -> dense 10, as the tfjs convnet
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                          nn.Flatten(), nn.Linear(14 * 14 * 32, 10))
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    return model, x, y


def loaded_blas():
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split()[-1].rsplit("/", 1)[-1] for line in f if "blas" in line})
    except OSError:
        return []


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--net", choices=["mlp", "convnet"], default="mlp")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model, x, y = mlp() if a.net == "mlp" else convnet()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    print(json.dumps({"threads": torch.get_num_threads(), "ms": statistics.median(times), "blas": loaded_blas()}))


if __name__ == "__main__":
    main()
