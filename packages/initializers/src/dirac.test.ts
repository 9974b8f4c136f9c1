import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {dirac, resolveInitializer} from './index';

/** Indices of the ones, as [...spatial, in, out] tuples (row-major order). */
function ones(t: tf.Tensor): number[][] {
  const d = t.dataSync();
  const out: number[][] = [];
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  d.forEach((v, i) => {
    if (v !== 0) {
      expect(v).toBe(1);
      out.push(strides.map((s, k) => Math.floor(i / s) % t.shape[k]));
    }
  });
  return out;
}

describeBackends(['cpu', 'wasm'], () => {
  it("puts ones where PyTorch's dirac_ loop does (groups, rectangular, even kernels)", () => {
    // dirac_ (torch/nn/init.py): for g < groups, d < min(out/groups, in):
    //   w[g*out/groups + d, d, k//2, ...] = 1 (PyTorch layout [out, in, k...]); here [k..., in, out]
    const a = dirac({groups: 2})([3, 3, 2, 4]);
    expect(ones(a)).toEqual([[1, 1, 0, 0], [1, 1, 0, 2], [1, 1, 1, 1], [1, 1, 1, 3]]);
    const b = dirac()([3, 5, 3]); // conv1d [k, in, out], in > out: min(out, in) = 3... out 3
    expect(ones(b)).toEqual([[1, 0, 0], [1, 1, 1], [1, 2, 2]]);
    const c = dirac()([2, 2, 1, 1]); // even kernel: centre index 2 // 2 = 1, as PyTorch
    expect(ones(c)).toEqual([[1, 1, 0, 0]]);
    const d = dirac()([3, 3, 3, 1, 2]); // conv3d, in < out: only d = 0
    expect(ones(d)).toEqual([[1, 1, 1, 0, 0]]);
    tf.dispose([a, b, c, d]);
  });

  it('a dirac conv (odd kernel, same padding) returns its input exactly; stats match', () => {
    const k = dirac()([3, 3, 4, 4]);
    const x = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
    const y = tf.conv2d(x, k as tf.Tensor4D, 1, 'same');
    expectClose(y, x.dataSync(), {rtol: 0, atol: 0});
    const s = dirac().stats([3, 3, 4, 4]);
    const mean = tf.tidy(() => tf.mean(k).dataSync()[0]);
    const std = tf.tidy(() => tf.sqrt(tf.moments(k).variance).dataSync()[0]);
    expectClose(mean, s.mean, {rtol: 1e-6, atol: 0});
    expectClose(std, s.std, {rtol: 1e-5, atol: 0});
    expect(resolveInitializer('dirac', {groups: 1}).initializerName).toBe('dirac');
    tf.dispose([k, x, y]);
  });

  it('errors and leaks', async () => {
    expect(() => dirac()([3, 3])).toThrow(/dirac: shape must have rank >= 3/);
    expect(() => dirac({groups: 3})([3, 3, 2, 4])).toThrow('dirac: out channels must be divisible by groups, got shape [3,3,2,4] (out 4) and groups 3');
    expect(() => dirac({groups: 0})).toThrow('dirac: groups must be an integer >= 1, got 0');
    await expectNoLeak(() => dirac({groups: 2})([3, 3, 2, 4], {dtype: 'int32'}));
  });
});
