import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {weightNorm, weightNormKernel} from './weight_norm';

// norms_v2.json weight_norm (PyTorch 1.13 weight_norm(nn.Linear(6, 4), dim=0 / None), converted to
// the TF.js [in, out] layout; tools/goldens/README-v2.md §4). Tolerances from README-v2: forward
// 1e-5 rel + 1e-6 abs, gradients 1e-4 rel + 1e-5 abs.
const FWD = {rtol: 1e-5, atol: 1e-6};
const GRAD = {rtol: 1e-4, atol: 1e-5};

describeBackends(['cpu', 'wasm'], (backend) => {
  const wn = loadGolden('norms_v2').weight_norm;
  for (const c of wn.cases) {
    const axis = c.torch_dim === null ? null : -1; // PyTorch dim=0 on [out, in] = axis -1 on [in, out]
    it(`${c.name}: g at wrap time, W, y, dx, dg, dv, db match PyTorch`, () => {
      const w = weightNorm({kernel: goldenTensor(c.v), axis, name: `${backend}/${c.name}`});
      expectClose(w.g, goldenData(c.g_at_wrap_time), FWD); // g = ‖v‖ at creation: W unchanged
      const st = {[w.g.name]: goldenTensor(c.g), [w.v.name]: goldenTensor(c.v)};
      w.setState(st);
      tf.dispose(st);
      const b = tf.variable(goldenTensor(c.b), true, `${backend}/${c.name}/b`);
      const x = goldenTensor(wn.x);
      const up = goldenTensor(wn.upstream_grad);
      const kernel = w.kernel();
      expectClose(kernel, goldenData(c.effective_kernel), FWD);
      const f = (a: tf.Tensor) => tf.add(tf.matMul(a, w.kernel()), b);
      const y = f(x);
      expectClose(y, goldenData(c.y), FWD);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), up)))(x);
      expectClose(dx, goldenData(c.dx), GRAD);
      const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(f(x), up)) as tf.Scalar, [w.g, w.v, b]);
      expect(grads[w.g.name].shape).toEqual(c.g.shape);
      expectClose(grads[w.g.name], goldenData(c.dg), GRAD);
      expectClose(grads[w.v.name], goldenData(c.dv), GRAD);
      expectClose(grads[b.name], goldenData(c.db), GRAD);
      // the pure function gives the same kernel
      const k2 = weightNormKernel(w.v, w.g, axis);
      expectClose(k2, kernel.dataSync(), {rtol: 0, atol: 0});
      tf.dispose([x, up, kernel, y, dx, value, k2, b, ...Object.values(grads)]);
      w.dispose();
    });
  }

  it('conv kernel [h, w, in, out]: each output unit has norm g; axis 0 and negative axes work', () => {
    const v = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 3);
    const g = tf.tensor1d([1, 2, 3, 4]);
    const k = weightNormKernel(v, g);
    const norms = tf.sqrt(tf.sum(tf.square(k), [0, 1, 2]));
    expectClose(norms, [1, 2, 3, 4], {rtol: 1e-5});
    const k0 = weightNormKernel(v, tf.tensor1d([5, 5, 5]), 0);
    const n0 = tf.sqrt(tf.sum(tf.square(k0), [1, 2, 3]));
    expectClose(n0, [5, 5, 5], {rtol: 1e-5});
    tf.dispose([v, g, k, norms, k0, n0]);
  });

  it('leaks nothing; checkpoints round trip', async () => {
    const w = weightNorm({kernel: tf.ones([3, 2]), name: `${backend}/wn_leak`});
    const x = tf.ones([1, 3]);
    await expectNoLeak(() => w.kernel());
    await expectNoLeak(() => {
      const r = tf.variableGrads(() => tf.sum(tf.matMul(x, w.kernel())) as tf.Scalar, [w.g, w.v]);
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    const s = w.getState();
    tf.tidy(() => w.g.assign(tf.zeros([2])));
    w.setState(s);
    expectClose(w.g, [Math.sqrt(3), Math.sqrt(3)], {rtol: 1e-6});
    tf.dispose([x, s]);
    w.dispose();
  });
});

describe('weightNorm arguments', () => {
  it('names the bad argument and value', () => {
    const k = tf.ones([3, 2]);
    expect(() => weightNorm({kernel: [1, 2] as never})).toThrow('weightNorm: kernel must be a live tf.Tensor, got [1, 2]');
    expect(() => weightNorm({kernel: k, axis: 2})).toThrow('weightNorm: axis must be an integer in [-2, 1] or null, got 2');
    expect(() => weightNorm({kernel: k, axis: 0.5})).toThrow('weightNorm: axis must be an integer in [-2, 1] or null, got 0.5');
    expect(() => weightNorm({kernel: k, dim: 0} as never)).toThrow(/weightNorm: unknown option 'dim'/);
    expect(() => weightNormKernel(k, tf.ones([3]))).toThrow('weightNormKernel: g must be a float32 tensor of shape [2], got a tensor of dtype float32, shape [3]');
    expect(() => weightNormKernel(k, tf.ones([2]), null)).toThrow('weightNormKernel: g must be a float32 tensor of shape [], got a tensor of dtype float32, shape [2]');
    const w = weightNorm({kernel: k, name: 'wn_args'});
    expect(() => w.setState({})).toThrow("weightNorm 'wn_args'.setState: state['wn_args/g'] must be a tensor of shape [2], got undefined");
    w.dispose();
    expect(() => w.kernel()).toThrow("weightNorm 'wn_args'.kernel: called after dispose()");
    k.dispose();
  });
});
