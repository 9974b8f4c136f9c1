import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as lrSchedule from '@stable-train/lr-schedule';
import {cosineDecay, cyclic, oneCycle, oneCycleMomentum, warmupCosine} from '@stable-train/lr-schedule';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {applyIfFinite, chain, createClipper, registerOptimizers, sgd, withClipping, withSchedule, TorchOptimizer} from './index';
import {roundTrip, tinyData, tinyModel, weightsOf} from '../../test/helpers';

/** Every TorchOptimizer subclass lr-schedule exports, with its factory (TorchAdamW → adamw). */
function torchFactories(): [string, () => tf.Optimizer][] {
  const out: [string, () => tf.Optimizer][] = [];
  const mod = lrSchedule as unknown as Record<string, unknown>;
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v !== 'function' || v.prototype == null || !(v.prototype instanceof TorchOptimizer) || !name.startsWith('Torch')) continue;
    const factory = mod[name.slice(5).toLowerCase()] as ((o: object) => tf.Optimizer) | undefined;
    if (typeof factory === 'function') out.push([name.slice(5).toLowerCase(), () => factory({lr: 0.01})]);
  }
  return out;
}

const cases: [string, () => tf.Optimizer][] = [
  ...torchFactories(),
  ['sgd + lr schedule', () => sgd({lr: cosineDecay({initial: 0.05, decaySteps: 10}), momentum: 0.9})],
  ['withSchedule(momentum, oneCycle, momentum schedule)', () => withSchedule(tf.train.momentum(0.1, 0.95), oneCycle({maxValue: 0.05, totalSteps: 20}), {momentum: oneCycleMomentum({maxValue: 0.05, totalSteps: 20})})],
  ['withSchedule(adam, warmupCosine)', () => withSchedule(tf.train.adam(0.01), warmupCosine({initial: 0, peak: 0.01, warmupSteps: 2, decaySteps: 10}))],
  ['withSchedule(rmsprop, cyclic exp_range)', () => withSchedule(tf.train.rmsprop(0.01), cyclic({baseValue: 0.001, maxValue: 0.01, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9}))],
  ['withClipping(adamw, global_norm)', () => withClipping(lrSchedule.adamw({lr: 0.01}), createClipper({mode: 'globalNorm', maxNorm: 0.5}))],
  ['withClipping(withSchedule(sgd), chain)', () => withClipping(withSchedule(tf.train.sgd(0.1), cosineDecay({initial: 0.1, decaySteps: 9})), chain(createClipper({mode: 'value', clipValue: 0.1}), createClipper({mode: 'globalNorm', maxNorm: 1})))],
  ['applyIfFinite(withClipping(adam))', () => applyIfFinite(withClipping(lrSchedule.adam({lr: 0.01}), createClipper({mode: 'globalNorm', maxNorm: 1})), {maxConsecutive: 3})],
];

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it('finds every TorchOptimizer of lr-schedule and registers them with the wrappers', () => {
    expect(torchFactories().map(([n]) => n)).toEqual(expect.arrayContaining(['sgd', 'adam', 'adamw', 'adagrad', 'rmsprop']));
    expect(registerOptimizers()).toEqual(expect.arrayContaining(['StableTrainAdam', 'StableTrainScheduled', 'ClippedOptimizer', 'StableTrainApplyIfFinite']));
  });

  it.each(cases)('%s: save → loadLayersModel gives the same predictions, state, and next step', async (_name, make) => {
    const {x, y} = tinyData();
    const a = tinyModel();
    a.compile({optimizer: make(), loss: 'meanSquaredError'});
    await a.fit(x, y, {epochs: 3, batchSize: 8, shuffle: false, verbose: 0});
    const b = await roundTrip(a);
    expect(b.optimizer.getClassName()).toBe(a.optimizer.getClassName());
    const [pa, pb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
    expect(Array.from(await pb.data())).toEqual(Array.from(await pa.data()));
    const [wa, wb] = [await a.optimizer.getWeights(), await b.optimizer.getWeights()];
    expect(wb.map((w) => w.name)).toEqual(wa.map((w) => w.name));
    for (let i = 0; i < wa.length; i++) expect(Array.from(await wb[i].tensor.data())).toEqual(Array.from(await wa[i].tensor.data()));
    // training continues from the same optimizer state: one more step on both, same weights
    await a.fit(x, y, {epochs: 1, batchSize: 16, shuffle: false, verbose: 0});
    await b.fit(x, y, {epochs: 1, batchSize: 16, shuffle: false, verbose: 0});
    expect(await weightsOf(b)).toEqual(await weightsOf(a));
    tf.dispose([x, y, pa, pb, ...wa.map((w) => w.tensor), ...wb.map((w) => w.tensor)]);
    a.optimizer.dispose();
    b.optimizer.dispose();
    a.dispose();
    b.dispose();
  });
});

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it('applyIfFinite: a NaN step changes no weight, no Adam moment and no step count, and is counted', async () => {
    await expectNoLeak(async () => {
      const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2]), true, `aif_w_${backend}`));
      const opt = applyIfFinite(lrSchedule.adam({lr: 0.1}), {maxConsecutive: 2});
      const good = tf.tensor1d([0.5, -1]);
      const bad = tf.tensor1d([NaN, 1]);
      opt.applyGradients({[w.name]: good});
      const before = await opt.getWeights();
      const wBefore = Array.from(await w.data());
      opt.applyGradients({[w.name]: bad});
      const after = await opt.getWeights();
      expect(Array.from(await w.data())).toEqual(wBefore);
      expect(opt.iterations).toBe(1);
      const inner = (ws: typeof before) => ws.filter((v) => !v.name.startsWith('apply_if_finite/'));
      expect(inner(after).map((v) => v.name)).toEqual(inner(before).map((v) => v.name));
      for (let i = 0; i < inner(before).length; i++) expect(Array.from(await inner(after)[i].tensor.data())).toEqual(Array.from(await inner(before)[i].tensor.data()));
      expect(opt.getState()).toEqual({notFiniteCount: 1, lastFinite: false, totalNotFinite: 1});
      opt.applyGradients({[w.name]: good}); // a finite step resets the run
      expect(opt.getState()).toEqual({notFiniteCount: 0, lastFinite: true, totalNotFinite: 1});
      opt.applyGradients({[w.name]: bad});
      expect(() => opt.applyGradients({[w.name]: bad})).toThrow(/applyIfFinite: 2 steps in a row had NaN or Infinity gradients \(maxConsecutive 2, 3 in all\)/);
      tf.dispose([w, good, bad, ...before.map((v) => v.tensor), ...after.map((v) => v.tensor)]);
      opt.dispose();
    });
  });

  it('applyIfFinite in model.fit: NaN targets never touch the weights; stopModel ends fit instead of throwing', async () => {
    const m = tinyModel();
    const x = tf.ones([4, 4]);
    const y = tf.fill([4, 2], NaN);
    const opt = applyIfFinite(lrSchedule.adam({lr: 0.1}), {maxConsecutive: 3, stopModel: m});
    m.compile({optimizer: opt, loss: 'meanSquaredError'});
    const w0 = await weightsOf(m);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = await m.fit(x, y, {epochs: 10, batchSize: 2, verbose: 0});
    warn.mockRestore();
    expect(h.epoch.length).toBe(2); // 2 batches per epoch: the 3rd bad step (epoch 2) stops
    expect(await weightsOf(m)).toEqual(w0);
    expect(opt.getState().totalNotFinite).toBe(3);
    const m2 = tinyModel();
    m2.compile({optimizer: applyIfFinite(lrSchedule.adam({lr: 0.1}), {maxConsecutive: 2}), loss: 'meanSquaredError'});
    await expect(m2.fit(x, y, {epochs: 3, batchSize: 2, verbose: 0})).rejects.toThrow(/applyIfFinite: 2 steps in a row/);
    tf.dispose([x, y]);
    opt.dispose();
    m.dispose();
    m2.dispose();
  });
});

describe('applyIfFinite arguments', () => {
  it('are checked before anything is made', () => {
    const n = tf.memory().numTensors;
    expect(() => applyIfFinite({} as tf.Optimizer)).toThrow('applyIfFinite: optimizer must be a tf.Optimizer, got [object Object]');
    expect(() => applyIfFinite(tf.train.sgd(0.1), {maxConsecutive: 0})).toThrow('applyIfFinite: maxConsecutive must be an integer >= 1, got 0');
    expect(() => applyIfFinite(tf.train.sgd(0.1), {stopModel: 3 as never})).toThrow('applyIfFinite: stopModel must be a tf.LayersModel (with stopTraining), got 3');
    expect(tf.memory().numTensors - n).toBeLessThanOrEqual(3); // the three tf.train.sgd's own lr scalars
    void tfl;
  });
});
