import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {FWD, GRAD, blocksV2} from '../test/golden_v2';
import {layerScale, layerScaleResidual} from './layer_scale';

describeBackends(['cpu', 'wasm'], (backend) => {
  const g = blocksV2().layer_scale;
  for (const c of g.cases) {
    it(`${c.name}: y = x + γ⊙f(x), dx, dfx, dγ match PyTorch`, () => {
      const [x, fx, up] = [g.x, g.fx, g.upstream_grad].map(goldenTensor);
      const ls = layerScale({dim: c.gamma.shape[0], name: `${backend}/${c.name}`});
      const st = {[ls.gamma.name]: goldenTensor(c.gamma)};
      ls.setState(st);
      tf.dispose(st);
      const y = ls.residual(x, fx);
      expectClose(y, goldenData(c.y), FWD);
      const [dx, dfx] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ls.residual(a, b), up)))([x, fx]);
      expectClose(dx, goldenData(c.dx), GRAD);
      expectClose(dfx, goldenData(c.dfx), GRAD);
      const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(ls.residual(x, fx), up)) as tf.Scalar, [ls.gamma]);
      expectClose(grads[ls.gamma.name], goldenData(c.dgamma), GRAD);
      // the module's apply is γ ⊙ f(x); the pure function gives the same y
      const scaled = ls.apply(fx);
      const y2 = layerScaleResidual(x, fx, ls.gamma);
      const ySum = tf.add(x, scaled);
      const y3 = ls.apply(x, fx); // the two-argument form is the whole residual
      expectClose(y3, goldenData(c.y), FWD);
      y3.dispose();
      expectClose(y2, goldenData(c.y), FWD);
      expectClose(ySum, goldenData(c.y), FWD);
      tf.dispose([x, fx, up, y, dx, dfx, value, grads, scaled, y2, ySum]);
      ls.dispose();
    });
  }

  it('starts at initValue (default 1e-5, CaiT); leaks nothing', async () => {
    const ls = layerScale({dim: 4, name: `${backend}/ls_default`});
    expectClose(ls.gamma, [1e-5, 1e-5, 1e-5, 1e-5], {rtol: 1e-6});
    const x = tf.ones([2, 3, 4]);
    await expectNoLeak(() => ls.residual(x, x));
    await expectNoLeak(() => ls.apply(x));
    await expectNoLeak(() => {
      const r = tf.variableGrads(() => tf.sum(ls.residual(x, x)) as tf.Scalar, [ls.gamma]);
      tf.dispose([r.value, r.grads]);
    });
    const s = ls.getState();
    expect(Object.keys(s)).toEqual([`${backend}/ls_default/gamma`]);
    tf.dispose([x, s]);
    ls.dispose();
  });
});

describe('layerScale arguments', () => {
  it('names the bad argument and value', () => {
    expect(() => layerScale({dim: 0})).toThrow('layerScale: dim must be an integer >= 1, got 0');
    expect(() => layerScale({dim: 2, initValue: NaN})).toThrow('layerScale: initValue must be a finite float32 number, got NaN');
    const x = tf.ones([2, 3]);
    expect(() => layerScaleResidual(x, tf.ones([2, 2]), tf.ones([3]))).toThrow("layerScaleResidual: fx must have x's shape [2,3], got [2,2]");
    expect(() => layerScaleResidual(x, x, tf.ones([2]))).toThrow('layerScaleResidual: gamma must have shape [3], got [2]');
    const ls = layerScale({dim: 2, name: 'ls_args'});
    expect(() => ls.residual(x, x)).toThrow("layerScale 'ls_args'.residual: x must have 2 channels in the last axis, got a tensor of dtype float32, shape [2,3]");
    ls.dispose();
    expect(() => ls.apply(x)).toThrow("layerScale 'ls_args'.apply: called after dispose()");
    x.dispose();
  });
});
