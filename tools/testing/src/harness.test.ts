import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from './index';

describe('setup', () => {
  it('registers gradients and chained ops (tfjs-core alone registers neither)', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, v)))(x);
    expectClose(dx, [2, 4, 6]);
    expect(typeof (x as tf.Tensor).reshape).toBe('function');
    tf.dispose([x, dx]);
  });
});

describeBackends(['cpu', 'wasm'], (backend) => {
  it('really switches the backend', () => {
    expect(tf.getBackend()).toBe(backend);
    const t = tf.ones([2]);
    // the data lives in the named backend's storage
    expect(tf.engine().findBackend(backend)).toBeDefined();
    expect((tf.engine() as unknown as {state: {tensorInfo: WeakMap<object, {backend: unknown}>}}).state).toBeDefined();
    expect(tf.engine().backend).toBe(tf.engine().findBackend(backend));
    t.dispose();
  });

  it('round-trips a PyTorch golden: clip_grad_value_ equals tf.clipByValue', () => {
    // grad_clip.json: clip_grad_value_ is element-wise clamp to [-c, c]
    const g = loadGolden('grad_clip').grad_lists[0];
    const {clip_value: c, clipped_grads} = g.clip_grad_value[0];
    g.tensors.forEach((t: {grad: {shape: number[]; data: number[]}}, i: number) => {
      const x = goldenTensor(t.grad);
      expect(x.shape).toEqual(t.grad.shape);
      const y = tf.clipByValue(x, -c, c);
      expectClose(y, goldenData(clipped_grads[i]));
      tf.dispose([x, y]);
    });
  });

  it('computes a wasm/cpu gradient equal to the closed form', () => {
    const x = tf.tensor2d([[0.5, -1], [2, 3]]);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.tanh(v)))(x);
    const expected = [0.5, -1, 2, 3].map((v) => 1 - Math.tanh(v) ** 2); // d tanh = 1 - tanh^2
    expectClose(dx, expected);
    tf.dispose([x, dx]);
  });
});

describe('expectClose', () => {
  it('passes within tolerance and fails outside with a readable diff', () => {
    expectClose([1, 2, 3], [1, 2, 3 + 1e-7]);
    expect(() => expectClose([1, 2, 3], [1, 2.1, 3])).toThrow(/1 of 3 elements differ[\s\S]*\[1\] actual 2 expected 2.1/);
    expect(() => expectClose([1, 2], [1, 2, 3])).toThrow(/size mismatch/);
    expect(() => expectClose([NaN], [1])).toThrow(/differ/);
    expectClose([NaN, Infinity], [NaN, Infinity]);
  });
});

describe('expectNoLeak', () => {
  it('catches a leak', async () => {
    let kept: tf.Tensor | null = null;
    await expect(expectNoLeak(() => { kept = tf.ones([3]); tf.zeros([1]); })).rejects.toThrow(/2 tensor\(s\) leaked/);
    tf.dispose([kept!]);
  });
  it('accepts clean code and disposes returned tensors', async () => {
    await expectNoLeak(() => tf.tidy(() => tf.add(tf.ones([3]), 1)));
  });
});

describe('setup order', () => {
  it('keeps tensor methods and the gradients of cast and moments working', () => {
    const x = tf.tensor2d([[1, 2], [3, 5]]);
    const c = x.clone();
    expectClose(c, [1, 2, 3, 5]);
    // d/dx sum(variance over axis 0) for column [1,3]: var = ((1-2)^2+(3-2)^2)/2, d/dx1 = (x1-mean) = -1
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.moments(tf.cast(v, 'float32'), 0).variance))(x);
    expectClose(dx, [-1, -1.5, 1, 1.5]);
    tf.dispose([x, c, dx]);
  });
});
