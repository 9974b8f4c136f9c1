import * as tf from '@tensorflow/tfjs-core';
import {RMSNorm} from '@stable-train/batchnorm';
import {describeBackends, expectClose, goldenTensor, loadGolden} from '@stable-train/testing';
import {rmsNormalization} from './rms_normalization';
import {GoldenCase, build, disposeResult, expectGolden, forwardAndGrads, setWeights} from '../../test/golden_layer';

const cases = (): GoldenCase[] => loadGolden('normalization').cases.filter((c: GoldenCase) => c.op === 'rmsnorm');

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases()) {
    it(`PyTorch ${c.name} through the layer: y, dx, dgamma`, () => {
      const layer = rmsNormalization({epsilon: c.eps});
      build(layer, c.x.shape);
      setWeights(layer, {gamma: c.gamma});
      const x = goldenTensor(c.x);
      const up = goldenTensor(c.upstream_grad);
      const r = forwardAndGrads(layer, x, up, true, ['gamma']);
      expectGolden(r, c, {gamma: 'dgamma'});
      disposeResult(r);
      tf.dispose([x, up]);
      layer.dispose();
    });
  }

  it('same numbers as the RMSNorm module (default epsilon 1e-6, last axis)', () => {
    const mod = new RMSNorm({channels: 5, name: 'rms_mod_eq'});
    const layer = rmsNormalization();
    const x = tf.randomNormal([3, 2, 5]);
    const up = tf.randomNormal([3, 2, 5]);
    build(layer, x.shape);
    const gamma = tf.randomNormal([5]);
    mod.gamma!.assign(gamma);
    setWeights(layer, {gamma});
    const r = forwardAndGrads(layer, x, up, false, ['gamma']);
    const yMod = mod.apply(x, {training: false});
    const dxMod = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(mod.apply(a, {training: false}), up)))(x);
    const g = tf.variableGrads(() => tf.sum(tf.mul(mod.apply(x, {training: false}), up)) as tf.Scalar, [mod.gamma!]);
    expectClose(r.y, yMod, {rtol: 1e-6, atol: 1e-7});
    expectClose(r.dx, dxMod, {rtol: 1e-6, atol: 1e-6});
    expectClose(r.dw.gamma, g.grads[mod.gamma!.name], {rtol: 1e-6, atol: 1e-6});
    tf.dispose([x, up, gamma, yMod, dxMod, g.value, ...Object.values(g.grads)]);
    disposeResult(r);
    mod.dispose();
    layer.dispose();
  });

  it('scale: false has no weights: y = x / sqrt(mean(x^2) + eps)', () => {
    const layer = rmsNormalization({scale: false});
    const x = tf.tensor2d([[3, 4]]);
    const y = layer.apply(x) as tf.Tensor;
    expect(layer.weights.length).toBe(0);
    // hand value: mean(x^2) = 12.5, so y = [3, 4] / sqrt(12.5 + 1e-6)
    expectClose(y, [3 / Math.sqrt(12.5 + 1e-6), 4 / Math.sqrt(12.5 + 1e-6)]);
    tf.dispose([x, y]);
  });
});

describe('rmsNormalization: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => rmsNormalization({epsilon: NaN})).toThrow(/rmsNormalization: epsilon must be a finite number > 0, got NaN/);
    expect(() => rmsNormalization({center: true} as never)).toThrow(/rmsNormalization: center is not an option/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
