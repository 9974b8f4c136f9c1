import * as tf from '@tensorflow/tfjs-core';
import {createClipper, withClipping} from '@stable-train/grad-clip';
import {cosineDecay, sgd, withSchedule} from '@stable-train/lr-schedule';
import {describeBackends} from '@stable-train/testing';
import {applyIfFinite} from '../optimizers/apply_if_finite';
import {Recorder, scalarModel} from '../../test/helpers';
import {learningRateScheduler} from './learning_rate_scheduler';

// w ← w − lr·2w on loss w² (x = 1, y = 0): the lr an update used is (1 − w'/w) / 2
const usedLrs = (w0: number, ws: number[][]): number[] => {
  const all = [w0, ...ws.map((w) => w[0])];
  return all.slice(1).map((w, i) => (1 - w / all[i]) / 2);
};

const sgdLike: [string, () => tf.Optimizer][] = [
  ['tf.train.sgd (cached lr scalar)', () => tf.train.sgd(1)],
  ['tf.train.momentum(μ = 0)', () => tf.train.momentum(1, 0)],
  ['lr-schedule sgd', () => sgd({lr: 1})],
  ['withClipping(tf.train.sgd)', () => withClipping(tf.train.sgd(1), createClipper({mode: 'globalNorm', maxNorm: 1e6}))],
  ['applyIfFinite(sgd)', () => applyIfFinite(sgd({lr: 1}))],
];

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });
  const x = () => tf.ones([4, 1]);
  const y = () => tf.zeros([4, 1]);

  it.each(sgdLike)('per batch: the lr the schedule set is the lr %s used', async (_n, make) => {
    const schedule = cosineDecay({initial: 0.2, decaySteps: 8, final: 0.01});
    const model = scalarModel(1);
    model.compile({optimizer: make(), loss: 'meanSquaredError'});
    const rec = new Recorder();
    const [xs, ys] = [x(), y()];
    await model.fit(xs, ys, {epochs: 2, batchSize: 1, shuffle: false, verbose: 0, callbacks: [learningRateScheduler(schedule, {per: 'batch'}), rec]});
    const used = usedLrs(1, rec.batches);
    expect(used.length).toBe(8);
    used.forEach((lr, i) => expect(lr).toBeCloseTo(schedule(i), 5));
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('per epoch: one lr per epoch, schedule(epoch), logged as `lr`; tf.train.adam reads it too', async () => {
    const model = scalarModel(1);
    model.compile({optimizer: tf.train.sgd(1), loss: 'meanSquaredError'});
    const rec = new Recorder();
    const [xs, ys] = [x(), y()];
    const h = await model.fit(xs, ys, {epochs: 3, batchSize: 2, shuffle: false, verbose: 0, callbacks: [learningRateScheduler((e) => 0.1 / (e + 1)), rec]});
    expect(usedLrs(1, rec.batches).map((v) => +v.toFixed(5))).toEqual([0.1, 0.1, 0.05, 0.05, 0.03333, 0.03333]);
    expect(h.history.lr).toEqual([0.1, 0.05, 0.1 / 3]);
    // Adam's first step moves w by lr·m̂/(√v̂ + ε) = lr·g/(|g| + ε) ≈ lr (Kingma & Ba 2015, Alg. 1)
    const a = scalarModel(1);
    a.compile({optimizer: tf.train.adam(0.5, 0.9, 0.999, 1e-8), loss: 'meanSquaredError'});
    const r2 = new Recorder();
    await a.fit(xs, ys, {epochs: 1, batchSize: 4, verbose: 0, callbacks: [learningRateScheduler(() => 0.125), r2]});
    expect(1 - r2.batches[0][0]).toBeCloseTo(0.125, 5);
    tf.dispose([xs, ys]);
    model.dispose();
    a.dispose();
  });

  it('refuses an optimizer that follows its own schedule, naming it', async () => {
    const model = scalarModel(1);
    model.compile({optimizer: withSchedule(tf.train.sgd(0.1), cosineDecay({initial: 0.1, decaySteps: 5})), loss: 'meanSquaredError'});
    const [xs, ys] = [x(), y()];
    await expect(model.fit(xs, ys, {epochs: 1, verbose: 0, callbacks: [learningRateScheduler(() => 0.1)]})).rejects.toThrow(/cannot set the learning rate of StableTrainScheduled: its lr is a schedule/);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('learningRateScheduler arguments', () => {
  it('are checked before anything is made', () => {
    expect(() => learningRateScheduler(0.1 as never)).toThrow('learningRateScheduler: schedule must be a function (step) => number, got 0.1');
    expect(() => learningRateScheduler(() => 1, {per: 'step' as never})).toThrow("learningRateScheduler: per must be 'batch' or 'epoch', got step");
    expect(() => learningRateScheduler(() => 1, {every: 1} as never)).toThrow("learningRateScheduler: unknown option 'every' (known: per, verbose)");
  });
});

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it('keeps a cut made by another callback (plateau, guard) as a factor on the schedule', async () => {
    const {Callback} = await import('@tensorflow/tfjs-layers');
    const {getOptimizerLr, setOptimizerLr} = await import('@stable-train/lr-schedule');
    class Halve extends Callback {
      override async onEpochEnd(): Promise<void> {
        setOptimizerLr((this.model as unknown as {optimizer: tf.Optimizer}).optimizer, getOptimizerLr((this.model as unknown as {optimizer: tf.Optimizer}).optimizer) / 2);
      }
    }
    const model = scalarModel(1);
    model.compile({optimizer: tf.train.sgd(1), loss: 'meanSquaredError'});
    const rec = new Recorder();
    const [xs, ys] = [tf.ones([2, 1]), tf.zeros([2, 1])];
    const sched = learningRateScheduler((i) => 0.01 * (i + 1), {per: 'batch'});
    await model.fit(xs, ys, {epochs: 3, batchSize: 1, shuffle: false, verbose: 0, callbacks: [sched, new Halve(), rec]});
    // epoch 0: schedule; epoch 1: × 0.5; epoch 2: × 0.25
    const expected = [0.01, 0.02, 0.03 * 0.5, 0.04 * 0.5, 0.05 * 0.25, 0.06 * 0.25];
    usedLrs(1, rec.batches).forEach((lr, i) => expect(lr).toBeCloseTo(expected[i], 6));
    expect(sched.scale).toBeCloseTo(0.25, 12);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
