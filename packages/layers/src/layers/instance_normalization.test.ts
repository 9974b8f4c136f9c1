import * as tf from '@tensorflow/tfjs-core';
import {InstanceNorm} from '@stable-train/batchnorm';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {instanceNormalization} from './instance_normalization';
import {FWD, GRAD, GoldenCase, build, disposeResult, forwardAndGrads, setWeights, weight} from '../../test/golden_layer';

describeBackends(['cpu', 'wasm'], () => {
  // norms_v2.json (tools/goldens/README-v2.md §4): nn.InstanceNorm2d, every affine x
  // track_running_stats x train/eval combination; PyTorch momentum p = 1 - our (Keras) momentum
  const v2 = loadGolden('norms_v2');
  for (const c of v2.instance_norm as GoldenCase[]) {
    it(`PyTorch ${c.name} through the layer: y, dx, dgamma, dbeta, running stats`, () => {
      const x = goldenTensor(v2.inputs.x);
      const up = goldenTensor(v2.inputs.upstream_grad);
      const layer = instanceNormalization({
        epsilon: c.eps, center: c.affine, scale: c.affine, trackRunningStats: c.track_running_stats, momentum: 1 - c.momentum,
      });
      build(layer, x.shape);
      if (c.affine) setWeights(layer, {gamma: v2.inputs.gamma, beta: v2.inputs.beta});
      if (c.track_running_stats) setWeights(layer, {moving_mean: v2.inputs.running_mean_before, moving_variance: v2.inputs.running_var_before});
      const training = c.mode === 'train';
      const y0 = layer.apply(x, {training}) as tf.Tensor; // one call: the running stats move once
      expectClose(y0, goldenData(c.y), FWD);
      if (c.track_running_stats) {
        expectClose(weight(layer, 'moving_mean').read(), goldenData(c.running_mean_after), FWD);
        expectClose(weight(layer, 'moving_variance').read(), goldenData(c.running_var_after), FWD);
      }
      const r = forwardAndGrads(layer, x, up, training, c.affine ? ['gamma', 'beta'] : []);
      expectClose(r.y, goldenData(c.y), FWD);
      expectClose(r.dx, goldenData(c.dx), GRAD);
      if (c.affine) {
        expectClose(r.dw.gamma, goldenData(c.dgamma), GRAD);
        expectClose(r.dw.beta, goldenData(c.dbeta), GRAD);
      }
      disposeResult(r);
      tf.dispose([x, up, y0]);
      layer.dispose();
    });
  }

  for (const training of [true, false]) {
    it(`same numbers as the InstanceNorm module (affine, running stats, training: ${training}), rank 3 and 4`, () => {
      for (const shape of [[3, 5, 4], [2, 3, 4, 4]]) {
        const mod = new InstanceNorm({channels: 4, affine: true, trackRunningStats: true, momentum: 0.2, eps: 1e-4});
        const layer = instanceNormalization({trackRunningStats: true, momentum: 0.8, epsilon: 1e-4});
        const x = tf.randomNormal(shape);
        const up = tf.randomNormal(shape);
        build(layer, shape);
        const vals = {gamma: tf.randomNormal([4]), beta: tf.randomNormal([4]), moving_mean: tf.randomNormal([4]), moving_variance: tf.randomUniform([4], 0.5, 2)};
        mod.gamma!.assign(vals.gamma);
        mod.beta!.assign(vals.beta);
        mod.movingMean!.assign(vals.moving_mean);
        mod.movingVariance!.assign(vals.moving_variance);
        setWeights(layer, vals);
        const yl = layer.apply(x, {training}) as tf.Tensor;
        const ym = mod.apply(x, {training});
        expectClose(yl, ym, {rtol: 1e-6, atol: 1e-6});
        expectClose(weight(layer, 'moving_mean').read(), mod.movingMean!, {rtol: 1e-6, atol: 1e-7});
        expectClose(weight(layer, 'moving_variance').read(), mod.movingVariance!, {rtol: 1e-6, atol: 1e-7});
        const r = forwardAndGrads(layer, x, up, training, ['gamma', 'beta']);
        const dxm = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(mod.apply(a, {training}), up)))(x);
        const g = tf.variableGrads(() => tf.sum(tf.mul(mod.apply(x, {training}), up)) as tf.Scalar, [mod.gamma!, mod.beta!]);
        expectClose(r.dx, dxm, {rtol: 1e-5, atol: 1e-6});
        expectClose(r.dw.gamma, g.grads[mod.gamma!.name], {rtol: 1e-5, atol: 1e-6});
        expectClose(r.dw.beta, g.grads[mod.beta!.name], {rtol: 1e-5, atol: 1e-6});
        tf.dispose([x, up, yl, ym, dxm, g.value, ...Object.values(g.grads), ...Object.values(vals)]);
        disposeResult(r);
        mod.dispose();
        layer.dispose();
      }
    });
  }

  it('no tensor leaks per call (training with running stats, inference)', () => {
    const layer = instanceNormalization({trackRunningStats: true});
    const x = tf.randomNormal([2, 3, 3, 4]);
    build(layer, x.shape);
    expectNoLeak(() => {
      tf.dispose(layer.apply(x, {training: true}) as tf.Tensor);
      tf.dispose(layer.apply(x) as tf.Tensor);
    });
    x.dispose();
    layer.dispose();
  });
});

describe('instanceNormalization: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => instanceNormalization({momentum: 1.5})).toThrow(/instanceNormalization: momentum must be a number in \[0, 1\], got 1.5/);
    expect(() => instanceNormalization({trackRunningStats: 'yes' as unknown as boolean})).toThrow(/instanceNormalization: trackRunningStats must be true or false, got "yes"/);
    expect(() => instanceNormalization({epsilon: 0})).toThrow(/instanceNormalization: epsilon must be a finite number > 0, got 0/);
    expect(() => instanceNormalization({axis: 1.5})).toThrow(/instanceNormalization: axis must be -1/);
    expect(() => instanceNormalization(7 as never)).toThrow(/instanceNormalization: args must be an object, got 7/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('rank-2 input or a non-last axis: throws at build naming the layer', () => {
    expect(() => build(instanceNormalization({name: 'in_bad'}), [2, 4])).toThrow(/in_bad: expected an input of rank >= 3/);
    expect(() => build(instanceNormalization({axis: 1, name: 'in_ax'}), [2, 3, 4])).toThrow(/in_ax: axis must be the last axis \(-1\), got axis 1/);
  });
});
