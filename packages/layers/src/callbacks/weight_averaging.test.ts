// callbacks.weightAveraging during model.fit: the average equals lr-schedule's own ema()/swa()
// fed the same weights (the formulas are checked against PyTorch in lr-schedule), start/every
// count batches across fits, averaged validation in the logs, swapIn/swapOut/swapOnEnd leave
// the live weights bit for bit, batch-norm statistics recomputed, non-finite batches skipped.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {ema, swa, type WeightAverager} from '@stable-train/lr-schedule';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {layersOnBackend, tinyData, tinyModel} from '../../test/helpers';
import {updateBatchNormStats} from '../update_batch_norm_stats';
import {explosionGuard} from './explosion_guard';
import {weightAveraging} from './weight_averaging';

const vals = (m: tf.NamedTensorMap): number[][] => Object.values(m).map((t) => Array.from(t.dataSync()));
const weights = (ws: tfl.LayerVariable[]): number[][] => ws.map((w) => Array.from(w.read().dataSync()));

/** Feeds a reference averager the trainable weights: init before batch `start`, update after the batches `due` says. */
class Reference extends tfl.Callback {
  step = 0;
  last: number[][] = [];
  constructor(readonly ref: WeightAverager, readonly start: number, readonly due: (done: number) => boolean) {
    super();
  }
  override async onBatchBegin(): Promise<void> {
    if (this.step === this.start) this.ref.init((this.model as tfl.LayersModel).trainableWeights);
  }
  override async onBatchEnd(): Promise<void> {
    this.step += 1;
    const m = this.model as tfl.LayersModel;
    if (this.step > this.start && this.due(this.step)) this.ref.update(m.trainableWeights);
    this.last = weights(m.trainableWeights);
  }
}

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => layersOnBackend(backend));

  it('EMA after every batch = lr-schedule ema() fed the same weights; the model keeps its live weights', async () => {
    const model = tinyModel();
    model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError'});
    const {x, y} = tinyData(16);
    const cb = weightAveraging({kind: 'ema', decay: 0.8});
    const ref = new Reference(ema({decay: 0.8}), 0, () => true);
    await model.fit(x, y, {epochs: 2, batchSize: 4, shuffle: false, verbose: 0, callbacks: [cb, ref]});
    expect(cb.averager.nAveraged).toBe(8);
    expect(vals(cb.averager.values)).toEqual(vals(ref.ref.values));
    expect(weights(model.trainableWeights)).toEqual(ref.last);
    tf.dispose([x, y]);
    cb.dispose();
    ref.ref.dispose();
    model.dispose();
  });

  it('SWA from batch 3, every 4 batches, counted across two fits', async () => {
    const model = tinyModel(2);
    model.compile({optimizer: tf.train.adam(0.05), loss: 'meanSquaredError'});
    const {x, y} = tinyData(16);
    const cb = weightAveraging({kind: 'swa', start: 3, every: 4});
    const ref = new Reference(swa(), 3, (d) => (d - 3) % 4 === 0);
    for (let i = 0; i < 2; i++) await model.fit(x, y, {epochs: 2, batchSize: 4, shuffle: false, verbose: 0, callbacks: [cb, ref]});
    expect(cb.step).toBe(16);
    expect(cb.averager.nAveraged).toBe(3); // after batches 7, 11, 15
    expect(vals(cb.averager.values)).toEqual(vals(ref.ref.values));
    tf.dispose([x, y]);
    cb.dispose();
    ref.ref.dispose();
    model.dispose();
  });

  it('validationData: avg_val_loss each epoch (the averaged weights evaluated), live weights untouched; swapOnEnd; no leaks', async () => {
    const model = tinyModel(3);
    model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics: ['mae']});
    const {x, y} = tinyData(16);
    const cb = weightAveraging({kind: 'ema', decay: 0.5, validationData: [x, y], swapOnEnd: true});
    const ref = new Reference(ema({decay: 0.5}), 0, () => true);
    const h = await model.fit(x, y, {epochs: 3, batchSize: 8, shuffle: false, verbose: 0, callbacks: [cb, ref]});
    expect(h.history.avg_val_loss.length).toBe(3);
    expect(h.history.avg_val_mae.length).toBe(3);
    // swapOnEnd: the average is in the model; its evaluation is the last epoch's avg_val_loss
    expect(cb.swapped).toBe(true);
    expect(weights(model.trainableWeights)).toEqual(vals(ref.ref.values));
    const r = model.evaluate(x, y, {batchSize: 32}) as tf.Scalar[];
    expect(r[0].dataSync()[0]).toBeCloseTo(h.history.avg_val_loss[2] as number, 6);
    tf.dispose(r);
    cb.swapOut();
    expect(weights(model.trainableWeights)).toEqual(ref.last);
    // a later fit trains the live weights (swapped out first) without leaking
    cb.dispose();
    const cb2 = weightAveraging({kind: 'swa', validationData: [x, y], swapOnEnd: true});
    await model.fit(x, y, {epochs: 1, batchSize: 8, verbose: 0, callbacks: [cb2]});
    await expectNoLeak(async () => {
      await model.fit(x, y, {epochs: 2, batchSize: 8, verbose: 0, callbacks: [cb2]});
    });
    cb2.swapOut();
    cb2.dispose();
    tf.dispose([x, y]);
    ref.ref.dispose();
    model.dispose();
  });

  it('batchNormData: statistics recomputed (update_bn) while swapped in, the live ones back on swapOut', async () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 3, inputShape: [4], kernelInitializer: tfl.initializers.glorotUniform({seed: 4})}), tfl.layers.batchNormalization(), tfl.layers.dense({units: 2})]});
    model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError'});
    const {x, y} = tinyData(16);
    const cb = weightAveraging({kind: 'swa', batchNormData: x, batchSize: 8});
    await model.fit(x, y, {epochs: 2, batchSize: 4, shuffle: false, verbose: 0, callbacks: [cb]});
    const live = weights(model.nonTrainableWeights);
    await cb.swapIn();
    const recomputed = weights(model.nonTrainableWeights);
    cb.swapOut();
    expect(weights(model.nonTrainableWeights)).toEqual(live);
    // by hand: the average in for good, then updateBatchNormStats over the same batches
    cb.averager.copyTo(model.trainableWeights);
    expect(await updateBatchNormStats(model, x, {batchSize: 8})).toBe(1);
    expect(weights(model.nonTrainableWeights)).toEqual(recomputed);
    expect(recomputed).not.toEqual(live);
    tf.dispose([x, y]);
    cb.dispose();
    model.dispose();
  });

  it('a batch with a non-finite loss (rolled back by explosionGuard) is not averaged', async () => {
    const model = tinyModel(5);
    model.compile({optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError'});
    const {x, y} = tinyData(16);
    const yBad = tf.tidy(() => tf.where(tf.cast(tf.tensor2d(Array.from({length: 16}, (_, i) => (i >= 8 && i < 12 ? 1 : 0)), [16, 1]).tile([1, 2]), 'bool'), tf.fill([16, 2], NaN), y));
    const cb = weightAveraging({kind: 'swa'});
    await model.fit(x, yBad, {epochs: 1, batchSize: 4, shuffle: false, verbose: 0, callbacks: [explosionGuard({verbose: 0}), cb]});
    expect(cb.averager.nAveraged).toBe(3); // batch 2 is skipped; its due update waits for batch 3
    expect(vals(cb.averager.values).flat().every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, yBad]);
    cb.dispose();
    model.dispose();
  });
});

describe('weightAveraging and updateBatchNormStats arguments', () => {
  it('are checked before anything is made, naming the option', async () => {
    expect(() => weightAveraging({kind: 'polyak' as never})).toThrow("weightAveraging: kind must be 'ema' or 'swa', got polyak");
    expect(() => weightAveraging({kind: 'swa', decay: 0.9})).toThrow("weightAveraging: decay and copyOnFirstUpdate are EMA options, got kind 'swa'");
    expect(() => weightAveraging({every: 0})).toThrow('weightAveraging: every must be an integer in [1, Infinity], got 0');
    expect(() => weightAveraging({start: -1})).toThrow('weightAveraging: start must be an integer in [0, Infinity], got -1');
    expect(() => weightAveraging({swapOnend: true} as never)).toThrow("weightAveraging: unknown option 'swapOnend'");
    expect(() => weightAveraging({averager: {} as never})).toThrow("weightAveraging: averager must be lr-schedule's ema() or swa()");
    expect(() => weightAveraging({averager: swa(), kind: 'ema'})).toThrow('weightAveraging: give either averager or kind/decay/copyOnFirstUpdate');
    expect(() => weightAveraging({decay: 2})).toThrow('ema: decay');
    const model = tinyModel();
    await expect(updateBatchNormStats(model, tf.zeros([4, 4]), {batchSize: 1})).rejects.toThrow('updateBatchNormStats: batchSize must be an integer >= 2, got 1');
    await expect(updateBatchNormStats(model, [] as never)).rejects.toThrow('updateBatchNormStats: x must be a non-empty tensor');
    await expect(updateBatchNormStats(null as never, tf.zeros([4, 4]))).rejects.toThrow('updateBatchNormStats: model must be a tf.layers model');
    expect(await updateBatchNormStats(model, tf.zeros([4, 4]))).toBe(0);
    await expect(weightAveraging().swapIn()).rejects.toThrow('weightAveraging: no model set');
    model.dispose();
  });
});
