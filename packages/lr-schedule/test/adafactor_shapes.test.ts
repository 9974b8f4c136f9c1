// Adafactor's factoring on shapes the goldens do not have (3-D, largest axis first or last,
// equal dims, default minDimSizeToFactor 128), against a float64 port of Optax's
// scale_by_factored_rms written here from optax/_src/factorized.py (README-v2 §1.2 rules).
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose} from '@stable-train/testing';
import {adafactor, TorchAdafactor} from '../src';

/** Deterministic values in (-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({length: n}, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/** Row-major strides, and the flat index → multi-index. */
function strides(shape: number[]): number[] {
  const st = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) st[i] = st[i + 1] * shape[i + 1];
  return st;
}

/** float64 Adafactor (lr, param scale, clipping on; no momentum/decay) over `grads`. */
function reference(shape: number[], p0: number[], grads: number[][], lr: number, dims: [number, number] | null): number[] {
  const p = p0.slice();
  const st = strides(shape);
  const idx = (i: number) => shape.map((_, a) => Math.floor(i / st[a]) % shape[a]);
  const key = (ix: number[], drop: number) => ix.filter((_, a) => a !== drop).join(',');
  let vRow = new Map<string, number>(), vCol = new Map<string, number>(), v = p.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1, beta = 1 - t ** -0.8;
    const g2 = g.map((x) => x * x + 1e-30);
    let u: number[];
    if (dims) {
      const [d1, d0] = dims;
      const mean = (drop: number) => {
        const m = new Map<string, number>();
        g2.forEach((x, i) => m.set(key(idx(i), drop), (m.get(key(idx(i), drop)) ?? 0) + x / shape[drop]));
        return m;
      };
      const r = mean(d0), c = mean(d1);
      vRow = new Map([...r].map(([kk, x]) => [kk, beta * (vRow.get(kk) ?? 0) + (1 - beta) * x]));
      vCol = new Map([...c].map(([kk, x]) => [kk, beta * (vCol.get(kk) ?? 0) + (1 - beta) * x]));
      // mean of v_row over its d1 axis: group v_row entries by the index without d0 and d1
      const rowMean = new Map<string, number>();
      g.forEach((_, i) => {
        const ix = idx(i);
        if (ix[d1] !== 0) return;
        let sum = 0;
        for (let j = 0; j < shape[d1]; j++) sum += vRow.get(key(ix.map((x, a) => (a === d1 ? j : x)), d0))!;
        rowMean.set(ix.filter((_, a) => a !== d0 && a !== d1).join(','), sum / shape[d1]);
      });
      u = g.map((x, i) => {
        const ix = idx(i);
        const rm = rowMean.get(ix.filter((_, a) => a !== d0 && a !== d1).join(','))!;
        return x / Math.sqrt(vRow.get(key(ix, d0))! / rm) / Math.sqrt(vCol.get(key(ix, d1))!);
      });
    } else {
      v = v.map((x, i) => beta * x + (1 - beta) * g2[i]);
      u = g.map((x, i) => x / Math.sqrt(v[i]));
    }
    const rms = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
    const den = Math.max(1, rms(u) / 1.0);
    const scale = Math.max(rms(p), 1e-3);
    u.forEach((x, i) => (p[i] -= (x / den) * lr * scale));
  });
  return p;
}

describeBackends(['cpu', 'wasm'], (backend) => {
  it.each([
    [[129, 2, 131], 128, [0, 2]], // largest axis last, second-largest first
    [[131, 2, 129], 128, [2, 0]], // largest first: v_row keeps axis 2, reduced axis = d1 − 1
    [[5, 5], 2, [0, 1]], // a tie: the later axis counts as larger
    [[6, 4, 4], 4, [2, 0]], // a tie in the two smaller dims: axis 2 is the second largest
    [[200, 100], 128, null], // second-largest 100 < 128: unfactored
  ] as const)('shape %j (minDimSizeToFactor %d): factored dims %j, 4 steps match float64 Optax', (shape, minDim, dims) => {
    const opt = adafactor({lr: 0.01, minDimSizeToFactor: minDim});
    expect((opt as TorchAdafactor).factoredDims([...shape])).toEqual(dims === null ? null : [...dims]);
    const n = shape.reduce((a, b) => a * b, 1);
    const p0 = values(n, 7);
    const grads = [1, 2, 3, 4].map((k) => values(n, 100 + k).map((x) => x * (k === 3 ? 0.01 : 1)));
    const w = tf.variable(tf.tensor(p0, [...shape]), true, `adafactor_shape_${backend}_${shape.join('x')}`);
    for (const g of grads) {
      const gt = tf.tensor(g, [...shape]);
      opt.applyGradients({[w.name]: gt});
      gt.dispose();
    }
    expectClose(w, reference([...shape], p0, grads, 0.01, dims === null ? null : [dims[0], dims[1]]), {rtol: 1e-5, atol: 1e-6});
    opt.dispose();
    w.dispose();
  });
});
