import * as tf from '@tensorflow/tfjs-core';
import {LayerNorm} from '@stable-train/batchnorm';
import {describeBackends, expectClose, goldenTensor, loadGolden} from '@stable-train/testing';
import {layerNormalization} from './layer_normalization';
import {GoldenCase, build, disposeResult, expectGolden, forwardAndGrads, setWeights} from '../../test/golden_layer';

const cases = (): GoldenCase[] => loadGolden('normalization').cases.filter((c: GoldenCase) => c.op === 'layernorm');

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases()) {
    for (const training of [true, false]) {
      it(`PyTorch ${c.name} through the layer (training ${training}; batch-independent): y, dx, dgamma, dbeta`, () => {
        const layer = layerNormalization({epsilon: c.eps});
        build(layer, c.x.shape);
        setWeights(layer, {gamma: c.gamma, beta: c.beta});
        const x = goldenTensor(c.x);
        const up = goldenTensor(c.upstream_grad);
        const r = forwardAndGrads(layer, x, up, training, ['gamma', 'beta']);
        expectGolden(r, c, {gamma: 'dgamma', beta: 'dbeta'});
        disposeResult(r);
        tf.dispose([x, up]);
        layer.dispose();
      });
    }
  }

  it('same numbers as the LayerNorm module over the last two axes (axis [-2, -1] = normalizedShape [L, D])', () => {
    const mod = new LayerNorm({normalizedShape: [3, 4], eps: 1e-5, name: 'ln_mod_eq'});
    const layer = layerNormalization({axis: [-2, -1], epsilon: 1e-5});
    const x = tf.randomNormal([2, 3, 4]);
    const up = tf.randomNormal([2, 3, 4]);
    build(layer, x.shape);
    const gamma = tf.randomNormal([3, 4]);
    const beta = tf.randomNormal([3, 4]);
    mod.gamma!.assign(gamma);
    mod.beta!.assign(beta);
    setWeights(layer, {gamma, beta});
    const r = forwardAndGrads(layer, x, up, true, ['gamma', 'beta']);
    const yMod = mod.apply(x, {training: true});
    const dxMod = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(mod.apply(a, {training: true}), up)))(x);
    const g = tf.variableGrads(() => tf.sum(tf.mul(mod.apply(x, {training: true}), up)) as tf.Scalar, [mod.gamma!, mod.beta!]);
    expectClose(r.y, yMod, {rtol: 1e-6, atol: 1e-7});
    expectClose(r.dx, dxMod, {rtol: 1e-6, atol: 1e-6});
    expectClose(r.dw.gamma, g.grads[mod.gamma!.name], {rtol: 1e-6, atol: 1e-6});
    expectClose(r.dw.beta, g.grads[mod.beta!.name], {rtol: 1e-6, atol: 1e-6});
    tf.dispose([x, up, gamma, beta, yMod, dxMod, g.value, ...Object.values(g.grads)]);
    disposeResult(r);
    mod.dispose();
    layer.dispose();
  });
});

describe('layerNormalization: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => layerNormalization({epsilon: 0})).toThrow(/layerNormalization: epsilon must be a finite number > 0, got 0/);
    expect(() => layerNormalization({axis: 'last' as never})).toThrow(/layerNormalization: axis must be an integer or a non-empty array of integers, got "last"/);
    expect(() => layerNormalization({scale: 1 as never})).toThrow(/layerNormalization: scale must be true or false, got 1/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('axes that are not the trailing ones: throws at build naming the layer', () => {
    const layer = layerNormalization({axis: 1, name: 'ln_axis'});
    expect(() => build(layer, [2, 3, 4])).toThrow(/ln_axis: axis must name the last axes of the input.*got 1 for input shape \[2,3,4\]/);
  });
});
