"""PyTorch reference of the rescue benchmark (tools/bench/rescue.ts runs it; issue 21).

Usage: /usr/bin/python3 tools/bench/rescue_torch.py DIR [float64]

DIR holds what rescue.ts wrote: manifest.json (scenarios, variants as plain specs, seeds), the
MNIST split, the regression data, the batch order per scenario and seed, and every run's initial
kernels (TF.js layout [in, out]). This script trains the same models from the same starting
points on the same batches, gives its own verdicts with the same criteria, and writes
DIR/torch-results.json. One thread. Installs nothing. With `float64` everything (data, initial
kernels, training) runs in float64 and goes to DIR/torch-results-float64.json: the rounding-free
reference rescue.ts --float64-check compares both float32 trajectories against.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
DIR = sys.argv[1]
F64 = len(sys.argv) > 2 and sys.argv[2] == 'float64'
if F64:
    torch.set_default_dtype(torch.float64)
FAIL_BELOW, OK_AT_LEAST = 0.3, 0.5  # = CRITERIA in lib/rescue_scenarios.ts
WIDTH = 64


def load(name, dtype, shape=None):
    a = np.fromfile(os.path.join(DIR, name), dtype=dtype)
    if F64 and dtype == np.float32:
        a = a.astype(np.float64)
    return torch.from_numpy(a.reshape(shape) if shape else a)


class Mlp(nn.Module):
    """dense -> [BN] -> act per hidden layer (no bias with BN), linear head (stable-train `mlp`)."""

    def __init__(self, depth, act, norm):
        super().__init__()
        self.act = torch.relu if act == 'relu' else torch.sigmoid
        w = 784
        self.lin = nn.ModuleList()
        self.bn = nn.ModuleList()
        for _ in range(depth):
            self.lin.append(nn.Linear(w, WIDTH, bias=norm is None))
            if norm:
                self.bn.append(nn.BatchNorm1d(WIDTH))
            w = WIDTH
        self.head = nn.Linear(w, 10)

    def kernels(self):
        return [l.weight for l in self.lin] + [self.head.weight]

    def forward(self, x):
        for i, l in enumerate(self.lin):
            x = l(x)
            if len(self.bn):
                x = self.bn[i](x)
            x = self.act(x)
        return self.head(x)


class ResMlp(nn.Module):
    """stem, blocks x + d2(relu(bn2(d1(relu(bn1(x)))))), relu, head (stable-train `residualMlp`, gate none)."""

    def __init__(self, blocks):
        super().__init__()
        self.stem = nn.Linear(784, WIDTH)
        self.blocks = nn.ModuleList(nn.ModuleList([nn.BatchNorm1d(WIDTH), nn.Linear(WIDTH, WIDTH), nn.BatchNorm1d(WIDTH), nn.Linear(WIDTH, WIDTH)]) for _ in range(blocks))
        self.head = nn.Linear(WIDTH, 10)

    def kernels(self):
        return [self.stem.weight] + [w for b in self.blocks for w in (b[1].weight, b[3].weight)] + [self.head.weight]

    def forward(self, x):
        x = self.stem(x)
        for n1, d1, n2, d2 in self.blocks:
            x = x + d2(torch.relu(n2(d1(torch.relu(n1(x))))))
        return self.head(torch.relu(x))


class Irnn(nn.Module):
    """h_t = relu(x_t W + h U + b), linear head on the last state; W, U in TF.js layout."""

    def __init__(self, units):
        super().__init__()
        self.W = nn.Parameter(torch.empty(28, units))
        self.U = nn.Parameter(torch.empty(units, units))
        self.b = nn.Parameter(torch.zeros(units))
        self.head = nn.Linear(units, 10)

    def kernels(self):
        return [self.W, self.U, self.head.weight]

    def forward(self, x):
        h = torch.zeros(x.shape[0], self.U.shape[0])
        for t in range(x.shape[1]):
            h = torch.relu(x[:, t] @ self.W + h @ self.U + self.b)
        return self.head(h)


class Linear(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(d, 1))

    def kernels(self):
        return [self.w]

    def forward(self, x):
        return x @ self.w


def build(spec):
    m = spec['model']
    if m['kind'] == 'mlp':
        return Mlp(m['depth'], m['activation'], m.get('norm'))
    if m['kind'] == 'resmlp':
        return ResMlp(m['blocks'])
    if m['kind'] == 'irnn':
        return Irnn(m['units'])
    return Linear(m['d'])


def load_init(model, stem):
    """Copies our initial kernels ([in, out]) in; every bias starts at 0 and BN at (1, 0) on both sides."""
    manifest = json.load(open(os.path.join(DIR, stem + '.json')))
    flat = np.fromfile(os.path.join(DIR, stem + '.f32'), dtype=np.float32)
    ks = model.kernels()
    for mod in model.modules():
        if isinstance(mod, nn.Linear):
            mod.weight.linear_weight = True
    assert len(ks) == len(manifest), f'{stem}: {len(ks)} torch kernels, {len(manifest)} ours'
    off = 0
    with torch.no_grad():
        for k, m in zip(ks, manifest):
            n = int(np.prod(m['shape']))
            a = torch.from_numpy(flat[off:off + n].reshape(m['shape']).copy()).to(k.dtype)
            off += n
            # nn.Linear weights are [out, in]: always transposed (square ones too); raw parameters are [in, out]
            k.copy_(a.t() if getattr(k, 'linear_weight', False) else a)
        for mod in model.modules():
            if isinstance(mod, nn.Linear) and mod.bias is not None:
                mod.bias.zero_()


def main():
    man = json.load(open(os.path.join(DIR, 'manifest.json')))
    runs = []
    mn = None
    for sc in man['scenarios']:
        task = sc['task']
        if task != 'regression' and mn is None:
            mn = (load('mnist-x.f32', np.float32, (-1, 784)), load('mnist-y.i32', np.int32).long(),
                  load('mnist-xt.f32', np.float32, (-1, 784)), load('mnist-yt.i32', np.int32).long())
        for seed in man['seeds']:
            if task == 'regression':
                x, y = load(f'reg-{seed}-x.f32', np.float32, (-1, 100)), load(f'reg-{seed}-y.f32', np.float32, (-1, 1))
                xt, yt = load(f'reg-{seed}-xt.f32', np.float32, (-1, 100)), load(f'reg-{seed}-yt.f32', np.float32, (-1, 1))
                baseline = float((yt ** 2).mean())
                order = None
            else:
                x, y, xt, yt = mn
                if task == 'mnist-rows':
                    x, xt = x.view(-1, 28, 28), xt.view(-1, 28, 28)
                order = load(f'order-{sc["name"]}-{seed}.i32', np.int32).long()
                baseline = None
            for vi, v in enumerate(sc['variants']):
                spec = v['spec']
                model = build(spec)
                load_init(model, f'init-{sc["name"]}-{vi}-{seed}')
                o = spec['optimizer']
                lr0 = o['lr']
                opt = torch.optim.SGD(model.parameters(), lr=lr0, momentum=o.get('momentum', 0)) if o['kind'] == 'sgd' else torch.optim.Adam(model.parameters(), lr=lr0)
                wu = spec.get('warmup')
                losses, first = [], -1
                t0 = time.perf_counter()
                B = sc['batch']
                for s in range(sc['steps']):
                    if wu:
                        f = wu['startFactor'] + (1 - wu['startFactor']) * min(s, wu['steps']) / wu['steps']
                        for g in opt.param_groups:
                            g['lr'] = lr0 * f
                    model.train()
                    if order is None:
                        xb, yb = x, y
                    else:
                        idx = order[s * B:(s + 1) * B]
                        xb, yb = x[idx], y[idx]
                    out = model(xb)
                    loss = F.mse_loss(out, yb) if spec.get('loss') == 'mse' else F.cross_entropy(out, yb)
                    if spec.get('l2'):
                        loss = loss + spec['l2'] * sum((p ** 2).sum() for p in model.parameters())
                    opt.zero_grad()
                    loss.backward()
                    if spec.get('clipNorm'):
                        nn.utils.clip_grad_norm_(model.parameters(), spec['clipNorm'])
                    opt.step()
                    lv = loss.item()
                    losses.append(lv)
                    if not math.isfinite(lv):
                        first = s
                        break
                secs = time.perf_counter() - t0
                model.eval()
                with torch.no_grad():
                    out = model(xt)
                    metric = float(((out - yt) ** 2).mean()) if task == 'regression' else float((out.argmax(1) == yt).float().mean())
                if first >= 0 or not math.isfinite(metric):
                    verdict = 'fail'
                elif task == 'regression':
                    verdict = 'ok' if metric < baseline else 'fail'
                else:
                    verdict = 'fail' if metric < FAIL_BELOW else ('ok' if metric >= OK_AT_LEAST else 'neither')
                runs.append(dict(framework='pytorch-float64' if F64 else 'pytorch', scenario=sc['name'], variant=v['name'], role=v['role'], seed=seed, steps=len(losses),
                                 metric=metric, metricName='test MSE' if task == 'regression' else 'test accuracy', baseline=baseline,
                                 firstNonfiniteStep=first, verdict=verdict, stepsPerSecond=len(losses) / secs, wallSeconds=secs,
                                 loss=[l if math.isfinite(l) else None for l in losses]))
                print(f'  pytorch {sc["name"]} | {v["name"]} | seed {seed}: {metric:.3f}, first non-finite {first}, {len(losses) / secs:.1f} steps/s -> {verdict}', flush=True)
    json.dump(runs, open(os.path.join(DIR, 'torch-results-float64.json' if F64 else 'torch-results.json'), 'w'))


if __name__ == '__main__':
    main()
