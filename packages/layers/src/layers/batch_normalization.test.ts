import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {BatchNorm} from '@stable-train/batchnorm';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {batchNormalization} from './batch_normalization';
import {FWD, GRAD, GoldenCase, build, disposeResult, expectGolden, forwardAndGrads, setWeights, weight} from '../../test/golden_layer';

const bnCases = (mode: string): GoldenCase[] =>
  loadGolden('normalization').cases.filter((c: GoldenCase) => c.op === 'batchnorm' && c.mode === mode);

/** A layer set up as the golden case's PyTorch BatchNorm (momentum 0.1 = Keras 0.9, unbiased running variance). */
function goldenLayer(c: GoldenCase) {
  const layer = batchNormalization({momentum: 1 - c.momentum_pytorch, epsilon: c.eps, runningVarianceConvention: 'pytorch'});
  build(layer, c.x.shape);
  setWeights(layer, {gamma: c.gamma, beta: c.beta, moving_mean: c.running_mean_before, moving_variance: c.running_var_before});
  return layer;
}

describeBackends(['cpu', 'wasm'], () => {
  for (const c of bnCases('train')) {
    it(`PyTorch ${c.name} through the layer in training mode: y, dx, dgamma, dbeta, running stats`, () => {
      const layer = goldenLayer(c);
      const x = goldenTensor(c.x);
      const up = goldenTensor(c.upstream_grad);
      const y = layer.apply(x, {training: true}) as tf.Tensor; // one training call: stats move once
      expectClose(y, goldenData(c.y), FWD);
      expectClose(weight(layer, 'moving_mean').read(), goldenData(c.running_mean_after), FWD);
      expectClose(weight(layer, 'moving_variance').read(), goldenData(c.running_var_after), FWD);
      const r = forwardAndGrads(layer, x, up, true, ['gamma', 'beta']);
      expectGolden(r, c, {gamma: 'dgamma', beta: 'dbeta'});
      disposeResult(r);
      tf.dispose([x, up, y]);
      layer.dispose();
    });
  }

  for (const c of bnCases('eval')) {
    it(`PyTorch ${c.name} through the layer in inference mode (running stats unchanged)`, () => {
      const layer = goldenLayer(c);
      const x = goldenTensor(c.x);
      const up = goldenTensor(c.upstream_grad);
      const r = forwardAndGrads(layer, x, up, false, ['gamma', 'beta']);
      expectGolden(r, c, {gamma: 'dgamma', beta: 'dbeta'});
      expect(Array.from(weight(layer, 'moving_mean').read().dataSync())).toEqual(Array.from(new Float32Array(goldenData(c.running_mean_before))));
      expect(Array.from(weight(layer, 'moving_variance').read().dataSync())).toEqual(Array.from(new Float32Array(goldenData(c.running_var_before))));
      disposeResult(r);
      tf.dispose([x, up]);
      layer.dispose();
    });
  }

  it("default 'keras' convention: the moving variance takes the BIASED batch variance (golden batch_var_biased)", () => {
    const c = bnCases('train')[0];
    const layer = batchNormalization({momentum: 0.9, epsilon: c.eps});
    build(layer, c.x.shape);
    setWeights(layer, {gamma: c.gamma, beta: c.beta, moving_mean: c.running_mean_before, moving_variance: c.running_var_before});
    const x = goldenTensor(c.x);
    tf.dispose(layer.apply(x, {training: true}) as tf.Tensor);
    const before = goldenData(c.running_var_before);
    const expected = goldenData(c.batch_var_biased).map((v: number, i: number) => 0.9 * before[i] + 0.1 * v);
    expectClose(weight(layer, 'moving_variance').read(), expected, FWD);
    x.dispose();
    layer.dispose();
  });

  for (const convention of ['keras', 'pytorch'] as const) {
    it(`same numbers as the BatchNorm module (convention '${convention}'): y, grads, moving stats, inference`, () => {
      const momentum = 0.8; // Keras meaning; the module's pytorch momentum is 1 - 0.8
      const mod = new BatchNorm({channels: 3, convention, momentum: convention === 'keras' ? momentum : 1 - momentum, eps: 1e-3, name: `bnmod_${convention}`});
      const layer = batchNormalization({momentum, epsilon: 1e-3, runningVarianceConvention: convention});
      const x = tf.randomNormal([4, 2, 2, 3]);
      const up = tf.randomNormal([4, 2, 2, 3]);
      build(layer, x.shape);
      const gamma = tf.randomNormal([3]);
      const beta = tf.randomNormal([3]);
      mod.gamma!.assign(gamma);
      mod.beta!.assign(beta);
      setWeights(layer, {gamma, beta});
      const yMod = mod.apply(x, {training: true});
      const yLay = layer.apply(x, {training: true}) as tf.Tensor;
      expectClose(yLay, yMod, {rtol: 1e-6, atol: 1e-6});
      expectClose(weight(layer, 'moving_mean').read(), mod.movingMean!, {rtol: 1e-6, atol: 1e-7});
      expectClose(weight(layer, 'moving_variance').read(), mod.movingVariance!, {rtol: 1e-6, atol: 1e-7});
      const gMod = tf.variableGrads(() => tf.sum(tf.mul(mod.apply(x, {training: true}), up)) as tf.Scalar, [mod.gamma!, mod.beta!]);
      const r = forwardAndGrads(layer, x, up, true, ['gamma', 'beta']);
      expectClose(r.dw.gamma, gMod.grads[mod.gamma!.name], GRAD);
      expectClose(r.dw.beta, gMod.grads[mod.beta!.name], GRAD);
      const eMod = mod.apply(x, {training: false});
      const eLay = layer.apply(x, {training: false}) as tf.Tensor;
      // the layer made one training call more (forwardAndGrads): compare after syncing the stats
      tf.dispose([eMod, eLay]);
      mod.movingMean!.assign(weight(layer, 'moving_mean').read());
      mod.movingVariance!.assign(weight(layer, 'moving_variance').read());
      const e1 = mod.apply(x, {training: false});
      const e2 = layer.apply(x, {training: false}) as tf.Tensor;
      expectClose(e2, e1, {rtol: 1e-6, atol: 1e-6});
      tf.dispose([x, up, gamma, beta, yMod, yLay, gMod.value, ...Object.values(gMod.grads), e1, e2]);
      disposeResult(r);
      mod.dispose();
      layer.dispose();
    });
  }

  it('model.fit updates the moving statistics; model.predict uses them and changes nothing', async () => {
    const bn = batchNormalization({momentum: 0.5});
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 3, inputShape: [4], useBias: false}), bn]});
    model.compile({optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError'});
    const x = tf.add(tf.mul(tf.randomNormal([16, 4]), 3), 2);
    const y = tf.randomNormal([16, 3]);
    const mm0 = Array.from(weight(bn, 'moving_mean').read().dataSync());
    await model.fit(x, y, {epochs: 2, batchSize: 8, verbose: 0});
    const mm1 = Array.from(weight(bn, 'moving_mean').read().dataSync());
    expect(mm1).not.toEqual(mm0);
    const snapshot = model.weights.map((w) => Array.from(w.read().dataSync()));
    const p1 = model.predict(x) as tf.Tensor;
    const p2 = model.predict(x) as tf.Tensor;
    expect(model.weights.map((w) => Array.from(w.read().dataSync()))).toEqual(snapshot);
    expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
    // predict = inference with the moving statistics
    const h = tf.matMul(x, model.layers[0].getWeights()[0]);
    const mm = weight(bn, 'moving_mean').read();
    const mv = weight(bn, 'moving_variance').read();
    const expected = tf.add(tf.mul(tf.div(tf.sub(h, mm), tf.sqrt(tf.add(mv, 1e-3))), weight(bn, 'gamma').read()), weight(bn, 'beta').read());
    expectClose(p1, expected, {rtol: 1e-5, atol: 1e-5});
    tf.dispose([x, y, p1, p2, h, expected]);
    model.dispose();
  });

  it('no tensor leaks over a fit of several epochs, nor in predict', async () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 3, inputShape: [4]}), batchNormalization({runningVarianceConvention: 'pytorch'})]});
    model.compile({optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError'});
    const x = tf.randomNormal([12, 4]);
    const y = tf.randomNormal([12, 3]);
    await model.fit(x, y, {epochs: 1, batchSize: 4, verbose: 0}); // warm-up
    await expectNoLeak(async () => {
      await model.fit(x, y, {epochs: 4, batchSize: 4, verbose: 0});
    });
    await expectNoLeak(() => model.predict(x) as tf.Tensor);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('batchNormalization: bad input', () => {
  const cases: [string, unknown, RegExp][] = [
    ['momentum 1.5', {momentum: 1.5}, /batchNormalization: momentum must be a number in \[0, 1\], got 1.5/],
    ['epsilon -1', {epsilon: -1}, /batchNormalization: epsilon must be a finite number > 0, got -1/],
    ['runningVarianceConvention torch', {runningVarianceConvention: 'torch'}, /runningVarianceConvention must be one of 'keras', 'pytorch', got "torch"/],
    ['center "yes"', {center: 'yes'}, /batchNormalization: center must be true or false, got "yes"/],
    ['gammaInitializer nope', {gammaInitializer: 'nope'}, /batchNormalization: gammaInitializer: unknown initializer "nope"/],
    ['betaRegularizer 3', {betaRegularizer: 3}, /batchNormalization: betaRegularizer must be a regularizer/],
    ['args null', null, /batchNormalization: args must be an object, got null/],
  ];
  for (const [what, args, msg] of cases) {
    it(`${what}: throws naming the argument before any tensor is made`, () => {
      const before = tf.memory().numTensors;
      expect(() => batchNormalization(args as never)).toThrow(msg);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
  it('axis other than the last: throws at build, naming the layer and the shape', () => {
    const layer = batchNormalization({axis: 1, name: 'bn_axis'});
    expect(() => layer.apply(tfl.input({shape: [4, 4, 3]}))).toThrow(/bn_axis: axis must be the last axis \(-1\).*got axis 1/);
  });
});
