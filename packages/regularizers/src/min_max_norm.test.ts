import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {seq, unitNormsRef} from '../test/fixtures';
import {minMaxNorm} from './min_max_norm';

// Keras MinMaxNorm (keras/src/constraints/constraints.py):
// desired = rate·clip(n, min, max) + (1 − rate)·n;  w · desired / (1e-7 + n)
const kerasMinMax = (w: number[], shape: number[], axes: number[], min: number, max: number, rate: number): number[] => {
  const n = unitNormsRef(w, shape, axes);
  return w.map((x, i) => (x * (rate * Math.min(Math.max(n[i], min), max) + (1 - rate) * n[i])) / (1e-7 + n[i]));
};

describeBackends(['cpu', 'wasm'], () => {
  it('moves unit norms into [min, max] at the given rate (dense and conv)', () => {
    const d = seq(20, 41).map((x) => Math.fround(x * 1.5));
    const dense = tf.tensor2d(d, [4, 5]);
    const norms = unitNormsRef(d, [4, 5], [0]).slice(0, 5);
    const [min, max] = [Math.fround(Math.min(...norms) + 0.1), Math.fround(Math.max(...norms) - 0.1)];
    const a = minMaxNorm({min, max}).constrain(dense);
    const b = minMaxNorm({min, max, rate: 0.3}).constrain(dense);
    expectClose(a, kerasMinMax(d, [4, 5], [0], min, max, 1));
    expectClose(b, kerasMinMax(d, [4, 5], [0], min, max, 0.3));
    const c = seq(24, 42);
    const conv = tf.tensor4d(c, [2, 2, 2, 3]);
    const e = minMaxNorm({min: 0.5, max: 0.9, axis: [0, 1, 2]}).constrain(conv);
    expectClose(e, kerasMinMax(c, [2, 2, 2, 3], [0, 1, 2], 0.5, 0.9, 1));
    tf.dispose([dense, a, b, conv, e]);
  });

  it('defaults to Keras [0, 1], rate 1, and leaks nothing', async () => {
    const w = tf.tensor2d([[3], [4]]); // norm 5 → 1
    const out = minMaxNorm().constrain(w);
    expectClose(out, [0.6, 0.8]);
    await expectNoLeak(() => minMaxNorm().constrain(w));
    tf.dispose([w, out]);
  });
});

describe('minMaxNorm arguments', () => {
  it('rejects bad bounds and rates naming them', () => {
    expect(() => minMaxNorm({min: -1})).toThrow('minMaxNorm: min must be a finite number >= 0, got -1');
    expect(() => minMaxNorm({min: 2, max: 1})).toThrow('minMaxNorm: max must be >= min (2), got 1');
    expect(() => minMaxNorm({rate: 1.5})).toThrow('minMaxNorm: rate must be a number in [0, 1], got 1.5');
    expect(() => minMaxNorm({rate: NaN})).toThrow('minMaxNorm: rate must be a number in [0, 1], got NaN');
  });
});
