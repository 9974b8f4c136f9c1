import * as tf from '@tensorflow/tfjs-core';
import {GroupNorm} from '@stable-train/batchnorm';
import {describeBackends, expectClose, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {groupNormalization} from './group_normalization';
import {FWD, GRAD, GoldenCase, build, disposeResult, expectGolden, forwardAndGrads, setWeights} from '../../test/golden_layer';

const cases = (): GoldenCase[] => loadGolden('normalization').cases.filter((c: GoldenCase) => c.op === 'groupnorm');

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases()) {
    it(`PyTorch ${c.name} through the layer: y, dx, dgamma, dbeta`, () => {
      const layer = groupNormalization({groups: c.groups, epsilon: c.eps});
      build(layer, c.x.shape);
      setWeights(layer, {gamma: c.gamma, beta: c.beta});
      const x = goldenTensor(c.x);
      const up = goldenTensor(c.upstream_grad);
      const r = forwardAndGrads(layer, x, up, true, ['gamma', 'beta']);
      expectGolden(r, c, {gamma: 'dgamma', beta: 'dbeta'});
      disposeResult(r);
      tf.dispose([x, up]);
      layer.dispose();
    });
  }

  // norms_v2.json: InstanceNorm2d without running stats normalises per (sample, channel) in both
  // modes = group norm with one channel per group
  const v2 = loadGolden('norms_v2');
  for (const c of v2.instance_norm.filter((k: GoldenCase) => !k.track_running_stats)) {
    it(`PyTorch ${c.name} (norms_v2) through groupNormalization({groups: C})`, () => {
      const x = goldenTensor(v2.inputs.x);
      const up = goldenTensor(v2.inputs.upstream_grad);
      const layer = groupNormalization({groups: x.shape[3], epsilon: c.eps, center: c.affine, scale: c.affine});
      build(layer, x.shape);
      if (c.affine) setWeights(layer, {gamma: v2.inputs.gamma, beta: v2.inputs.beta});
      const r = forwardAndGrads(layer, x, up, c.mode === 'train', c.affine ? ['gamma', 'beta'] : []);
      expectClose(r.y, goldenData(c.y), FWD);
      expectClose(r.dx, goldenData(c.dx), GRAD);
      if (c.affine) {
        expectClose(r.dw.gamma, goldenData(c.dgamma), GRAD);
        expectClose(r.dw.beta, goldenData(c.dbeta), GRAD);
      }
      disposeResult(r);
      tf.dispose([x, up]);
      layer.dispose();
    });
  }

  it('same numbers as the GroupNorm module', () => {
    const mod = new GroupNorm({channels: 6, groups: 2, eps: 1e-3, name: 'gn_mod_eq'});
    const layer = groupNormalization({groups: 2});
    const x = tf.randomNormal([2, 3, 3, 6]);
    const up = tf.randomNormal([2, 3, 3, 6]);
    build(layer, x.shape);
    const gamma = tf.randomNormal([6]);
    const beta = tf.randomNormal([6]);
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

describe('groupNormalization: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => groupNormalization({groups: 0})).toThrow(/groupNormalization: groups must be an integer >= 1, got 0/);
    expect(() => groupNormalization({groups: 2.5})).toThrow(/groupNormalization: groups must be an integer >= 1, got 2.5/);
    expect(() => groupNormalization({betaConstraint: {className: 'NoSuchConstraint'}})).toThrow(/groupNormalization: betaConstraint: unknown constraint/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('groups that do not divide the channels: throws at build naming the layer', () => {
    const layer = groupNormalization({groups: 4, name: 'gn_bad'});
    expect(() => build(layer, [1, 2, 2, 6])).toThrow(/gn_bad: groups \(4\) must divide the number of channels, got input shape \[1,2,2,6\]/);
  });
});
