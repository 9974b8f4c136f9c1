import * as tf from '@tensorflow/tfjs-core';
import {FrozenBatchNorm} from '@stable-train/batchnorm';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import * as tfl from '@tensorflow/tfjs-layers';
import {batchNormalization} from './batch_normalization';
import {freezeBatchNormalization, frozenBatchNormalization} from './frozen_batch_normalization';
import {FWD, GRAD, build, disposeResult, forwardAndGrads, setWeights, weight} from '../../test/golden_layer';

describeBackends(['cpu', 'wasm'], () => {
  // norms_v2.json frozen_batchnorm (torchvision FrozenBatchNorm2d, tools/goldens/README-v2.md §4)
  const v2 = loadGolden('norms_v2');
  const f = v2.frozen_batchnorm;
  for (const training of [true, false]) {
    it(`torchvision FrozenBatchNorm2d through the layer (training: ${training}): y, dx; nothing trainable, nothing moves`, () => {
      const x = goldenTensor(v2.inputs.x);
      const up = goldenTensor(v2.inputs.upstream_grad);
      const layer = frozenBatchNormalization({epsilon: f.eps});
      build(layer, x.shape);
      setWeights(layer, {gamma: f.weight, beta: f.bias, moving_mean: f.running_mean, moving_variance: f.running_var});
      expect(layer.trainableWeights).toEqual([]);
      expect(layer.nonTrainableWeights.map((w) => w.originalName.split('/').pop())).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
      const r = forwardAndGrads(layer, x, up, training, []);
      expectClose(r.y, goldenData(f.y), FWD);
      expectClose(r.dx, goldenData(f.dx), GRAD);
      expectClose(weight(layer, 'moving_mean').read(), goldenData(f.running_mean), {rtol: 0, atol: 0});
      expectClose(weight(layer, 'moving_variance').read(), goldenData(f.running_var), {rtol: 0, atol: 0});
      disposeResult(r);
      tf.dispose([x, up]);
      layer.dispose();
    });
  }

  it('same numbers as the FrozenBatchNorm module (dense input)', () => {
    const mod = new FrozenBatchNorm({channels: 3, eps: 1e-3});
    const layer = frozenBatchNormalization({epsilon: 1e-3});
    const x = tf.randomNormal([5, 3]);
    const up = tf.randomNormal([5, 3]);
    build(layer, x.shape);
    const vals = {gamma: tf.randomNormal([3]), beta: tf.randomNormal([3]), moving_mean: tf.randomNormal([3]), moving_variance: tf.randomUniform([3], 0.5, 2)};
    mod.gamma.assign(vals.gamma);
    mod.beta.assign(vals.beta);
    mod.movingMean.assign(vals.moving_mean);
    mod.movingVariance.assign(vals.moving_variance);
    setWeights(layer, vals);
    const r = forwardAndGrads(layer, x, up, true, []);
    const ym = mod.apply(x, {training: true});
    const dxm = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(mod.apply(a, {training: true}), up)))(x);
    expectClose(r.y, ym, {rtol: 1e-6, atol: 1e-7});
    expectClose(r.dx, dxm, {rtol: 1e-6, atol: 1e-7});
    tf.dispose([x, up, ym, dxm, ...Object.values(vals)]);
    disposeResult(r);
    mod.dispose();
    layer.dispose();
  });

  it('no tensor leaks per call', () => {
    const layer = frozenBatchNormalization();
    const x = tf.randomNormal([2, 3, 3, 4]);
    build(layer, x.shape);
    expectNoLeak(() => tf.dispose(layer.apply(x, {training: true}) as tf.Tensor));
    x.dispose();
    layer.dispose();
  });
});

describe('frozenBatchNormalization: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => frozenBatchNormalization({epsilon: -1})).toThrow(/frozenBatchNormalization: epsilon must be a finite number > 0, got -1/);
    expect(() => frozenBatchNormalization({axis: 'x' as never})).toThrow(/frozenBatchNormalization: axis must be -1/);
    expect(() => frozenBatchNormalization([] as never)).toThrow(/frozenBatchNormalization: args must be an object/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('a non-last axis: throws at build naming the layer', () => {
    expect(() => build(frozenBatchNormalization({axis: 1, name: 'fbn_ax'}), [2, 3, 4])).toThrow(/fbn_ax: axis must be the last axis \(-1\)/);
  });
});

describeBackends(['cpu', 'wasm'], () => {
  for (const [what, make] of [
    ['ours (pytorch convention)', () => batchNormalization({momentum: 0.5, runningVarianceConvention: 'pytorch'})],
    ['tf.layers.batchNormalization', () => tfl.layers.batchNormalization({momentum: 0.5})],
    ['ours without center', () => batchNormalization({momentum: 0.5, center: false})],
  ] as [string, () => tfl.layers.Layer][]) {
    it(`freezeBatchNormalization(${what}) after fit: the frozen layer gives bn's inference output in training mode too`, async () => {
      const bn = make();
      const model = tfl.sequential({layers: [tfl.layers.dense({units: 4, inputShape: [3]}), bn, tfl.layers.dense({units: 1})]});
      model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError'});
      const x = tf.add(tf.mul(tf.randomNormal([8, 3]), 2), 1);
      const y = tf.randomNormal([8, 1]);
      await model.fit(x, y, {epochs: 2, batchSize: 4, verbose: 0});
      const frozen = freezeBatchNormalization(bn, {name: `frozen_${what.length}`});
      const h = model.layers[0].apply(x) as tf.Tensor;
      const yBn = bn.apply(h, {training: false}) as tf.Tensor;
      const yFrozen = frozen.apply(h, {training: true}) as tf.Tensor;
      expectClose(yFrozen, yBn, {rtol: 1e-5, atol: 1e-6});
      expect(frozen.trainableWeights).toEqual([]);
      tf.dispose([x, y, h, yBn, yFrozen]);
      model.dispose();
    });
  }
});

describe('freezeBatchNormalization: bad input', () => {
  it('refuses a layer that is not a built batch norm, naming it', () => {
    expect(() => freezeBatchNormalization(tfl.layers.dense({units: 2, name: 'not_bn'}))).toThrow(/freezeBatchNormalization: bn must be a built batch normalisation layer .* got not_bn \(Dense\)/);
    expect(() => freezeBatchNormalization({} as never)).toThrow(/freezeBatchNormalization: bn must be a tf.layers.Layer/);
  });
});
