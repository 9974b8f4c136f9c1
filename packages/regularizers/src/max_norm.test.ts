import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {seq, unitNormsRef} from '../test/fixtures';
import {maxNorm} from './max_norm';

// Keras MaxNorm (keras/src/constraints/constraints.py): w · clip(n, 0, max) / (1e-7 + n)
const kerasMaxNorm = (w: number[], shape: number[], axes: number[], max: number): number[] => {
  const n = unitNormsRef(w, shape, axes);
  return w.map((x, i) => (x * Math.min(n[i], max)) / (1e-7 + n[i]));
};

describeBackends(['cpu', 'wasm'], (backend) => {
  it('dense kernel: per output unit (axis 0), units above maxValue rescaled, others unchanged', () => {
    const data = seq(12, 21).map((x) => Math.fround(x * 2));
    const w = tf.tensor2d(data, [4, 3]);
    const norms = unitNormsRef(data, [4, 3], [0]).slice(0, 3);
    const maxValue = Math.fround((norms[0] + norms[1] + norms[2]) / 3); // some units above, some below
    expect(norms.some((n) => n > maxValue) && norms.some((n) => n < maxValue)).toBe(true);
    const out = maxNorm({maxValue}).constrain(w);
    expectClose(out, kerasMaxNorm(data, [4, 3], [0], maxValue));
    tf.dispose([w, out]);
  });

  it('conv kernel: default reduces over [0, 1, 2]; an explicit axis follows Keras', () => {
    const shape = [2, 2, 3, 4];
    const data = seq(48, 22);
    const w = tf.tensor4d(data, shape as [number, number, number, number]);
    const a = maxNorm({maxValue: 0.8}).constrain(w);
    expectClose(a, kerasMaxNorm(data, shape, [0, 1, 2], 0.8));
    const b = maxNorm({maxValue: 0.3, axis: [-1, 0]}).constrain(w);
    expectClose(b, kerasMaxNorm(data, shape, [3, 0], 0.3));
    tf.dispose([w, a, b]);
  });

  it('apply assigns in place, on a variable, and leaks nothing', async () => {
    const data = seq(6, 23).map((x) => x * 10);
    const v = tf.variable(tf.tensor2d(data, [3, 2]), true, `maxnorm_${backend}/kernel`);
    const c = maxNorm({maxValue: 1});
    await expectNoLeak(() => c.apply(v));
    expectClose(v, kerasMaxNorm(data, [3, 2], [0], 1), {rtol: 1e-5, atol: 1e-6});
    await expectNoLeak(() => c.constrain(v));
    v.dispose();
  });
});

describe('maxNorm arguments', () => {
  it('rejects bad values naming them', () => {
    expect(() => maxNorm({maxValue: -1})).toThrow('maxNorm: maxValue must be a finite number > 0, got -1');
    expect(() => maxNorm({maxValue: 0})).toThrow('maxNorm: maxValue must be a finite number > 0, got 0');
    expect(() => maxNorm({axis: 0.5})).toThrow('maxNorm: axis must be an integer or a non-empty list of distinct integers, got 0.5');
    expect(() => maxNorm({axis: []})).toThrow('maxNorm: axis must be an integer or a non-empty list of distinct integers, got []');
    const w = tf.zeros([2, 2]);
    expect(() => maxNorm({axis: 2}).constrain(w)).toThrow('maxNorm: axis must be in [-2, 1] for a tensor of shape [2,2], got 2');
    expect(() => maxNorm().constrain([1, 2] as never)).toThrow('maxNorm: w must be a float32 tf.Tensor, got [1, 2]');
    w.dispose();
  });
});
