import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {seq, unitNormsRef} from '../test/fixtures';
import {unitNorm} from './unit_norm';

// Keras UnitNorm (keras/src/constraints/constraints.py): w / (1e-7 + n)
const kerasUnitNorm = (w: number[], shape: number[], axes: number[]): number[] => {
  const n = unitNormsRef(w, shape, axes);
  return w.map((x, i) => x / (1e-7 + n[i]));
};

describeBackends(['cpu', 'wasm'], () => {
  it('normalises each output unit of a dense and a conv kernel', () => {
    const d = seq(12, 31);
    const c = seq(36, 32);
    const dense = tf.tensor2d(d, [4, 3]);
    const conv = tf.tensor4d(c, [3, 1, 3, 4]);
    const a = unitNorm().constrain(dense);
    const b = unitNorm().constrain(conv);
    expectClose(a, kerasUnitNorm(d, [4, 3], [0]));
    expectClose(b, kerasUnitNorm(c, [3, 1, 3, 4], [0, 1, 2]));
    const n = tf.norm(a, 'euclidean', 0);
    expectClose(n, [1, 1, 1]); // every column now has norm 1
    tf.dispose([dense, conv, a, b, n]);
  });

  it('treats a 1-D tensor as one unit, keeps zeros at zero (eps), axis 1 = rows', () => {
    const v = tf.tensor1d([3, 4]);
    const z = tf.zeros([2, 2]);
    const m = tf.tensor2d([[3, 4], [0, 2]]);
    const [a, b, c] = [unitNorm().constrain(v), unitNorm().constrain(z), unitNorm({axis: 1}).constrain(m)];
    expectClose(a, [0.6, 0.8]); // 3-4-5 triangle
    expectClose(b, [0, 0, 0, 0]);
    expectClose(c, [0.6, 0.8, 0, 1]);
    tf.dispose([v, z, m, a, b, c]);
  });

  it('leaks nothing', async () => {
    const w = tf.ones([3, 3]);
    await expectNoLeak(() => unitNorm().constrain(w));
    w.dispose();
  });
});

describe('unitNorm arguments', () => {
  it('rejects bad axes and options', () => {
    expect(() => unitNorm({axis: [0, 0]})).toThrow('unitNorm: axis must be an integer or a non-empty list of distinct integers, got [0, 0]');
    expect(() => unitNorm({axes: 0} as never)).toThrow("unitNorm: unknown option 'axes' in opts; expected one of axis");
  });
});
