"""Float32 rounding vs real differences in the rescue benchmark (issue 21).

Usage (after `npm run bench:rescue`): /usr/bin/python3 tools/bench/rescue_float64.py [SCENARIO,...]

Reruns the PyTorch side in float64 from the same data, batches and initial kernels (the files
rescue.ts left in tools/bench/tmp/rescue), then asks, per run: how many steps do ours (float32,
wasm) and PyTorch float32 each follow the float64 trajectory (training loss within 1 %)? When
both leave it at about the same step, the two float32 runs differ by rounding alone; when ours
leaves it much earlier, ours computes something else. Writes docs/results/rescue-float64.md.
"""
import json
import math
import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DIR = os.path.join(REPO, 'tools/bench/tmp/rescue')
only = sys.argv[1].split(',') if len(sys.argv) > 1 else None
man = json.load(open(os.path.join(DIR, 'manifest.json')))
if only:
    man['scenarios'] = [s for s in man['scenarios'] if s['name'] in only]
json.dump(man, open(os.path.join(DIR, 'manifest.json'), 'w'))
env = dict(os.environ, OMP_NUM_THREADS='1')
blas = os.path.join(REPO, 'tools/bench/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-serial')
if os.path.isdir(blas):
    env['LD_LIBRARY_PATH'] = blas
subprocess.run([sys.executable, os.path.join(REPO, 'tools/bench/rescue_torch.py'), DIR, 'float64'], env=env, check=True)
f64 = json.load(open(os.path.join(DIR, 'torch-results-float64.json')))
runs = json.load(open(os.path.join(REPO, 'docs/results/rescue.json')))['runs']


def apart(a, b):
    """First step where the losses differ by > 1 % (len if never; both non-finite = same)."""
    n = min(len(a), len(b))
    for k in range(n):
        x = a[k] if isinstance(a[k], (int, float)) else float('nan')
        y = b[k] if isinstance(b[k], (int, float)) else float('nan')
        if not math.isfinite(x) and not math.isfinite(y):
            return n
        if not abs(x - y) <= 0.01 * abs(y):
            return k
    return n


rows = ['| scenario | variant | seed | steps | ours leaves float64 at | PyTorch float32 leaves float64 at | verdict ours / PyTorch f32 / PyTorch f64 |', '|---|---|---|---|---|---|---|']
for r in f64:
    key = lambda q: q['scenario'] == r['scenario'] and q['variant'] == r['variant'] and q['seed'] == r['seed']
    ours = next((q for q in runs if q['framework'] == 'stable-train' and key(q)), None)
    t32 = next((q for q in runs if q['framework'] == 'pytorch' and key(q)), None)
    if not ours or not t32:
        continue
    rows.append(f"| {r['scenario']} | {r['variant']} | {r['seed']} | {len(r['loss'])} | {apart(ours['loss'], r['loss'])} | {apart(t32['loss'], r['loss'])} | "
                f"{ours['verdict']} / {t32['verdict']} / {r['verdict']} ({ours['metric']:.3f} / {t32['metric']:.3f} / {r['metric']:.3f}) |")
text = '# Rescue benchmark: float32 vs a float64 reference\n\n' + __doc__.split('\n\n', 2)[2] + '\n' + '\n'.join(rows) + '\n'
open(os.path.join(REPO, 'docs/results/rescue-float64.md'), 'w').write(text)
print(text)
