import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {adam, getOptimizerLr} from '@stable-train/lr-schedule';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {tinyModel} from '../../test/helpers';
import {explosionGuard, type ExplosionGuard} from './explosion_guard';

/** Records, after the guard has acted, the model weights and the optimizer state at each batch end. */
class StateRecorder extends tfl.Callback {
  weights: number[][][] = [];
  opt: number[][][] = [];
  override async onBatchEnd(): Promise<void> {
    this.weights.push(this.model.getWeights().map((w) => Array.from(w.dataSync())));
    const ws = await (this.model as tfl.LayersModel).optimizer.getWeights();
    this.opt.push(ws.map((w) => Array.from(w.tensor.dataSync())));
    tf.dispose(ws.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
  }
}

/** 8 batches of 4; batch `bad` gets targets `value`. */
function data(bad: number, value: number): {x: tf.Tensor; y: tf.Tensor} {
  return tf.tidy(() => {
    const x = tf.randomNormal([32, 4], 0, 1, 'float32', 7);
    const y = tf.randomNormal([32, 2], 0, 1, 'float32', 8);
    const mask = tf.tensor2d(Array.from({length: 32}, (_, i) => (Math.floor(i / 4) === bad ? 1 : 0)), [32, 1]);
    return {x, y: tf.where(tf.cast(tf.tile(mask, [1, 2]), 'bool'), tf.fill([32, 2], value), y)};
  });
}

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it.each([
    ['a loss spike (targets 1e3)', 1e3, 'spike', () => tf.train.adam(0.01)],
    ['a NaN loss', NaN, 'non-finite', () => adam({lr: 0.01})],
  ] as const)('%s rolls back to the last good weights and optimizer state and halves the lr', async (_n, value, kind, make) => {
    const {x, y} = data(5, value);
    const model = tinyModel();
    const opt = make();
    model.compile({optimizer: opt, loss: 'meanSquaredError'});
    const guard = explosionGuard({spikeFactor: 10, warmup: 3, verbose: 0});
    const rec = new StateRecorder();
    const h = await model.fit(x, y, {epochs: 1, batchSize: 4, shuffle: false, verbose: 0, callbacks: [guard, rec]});
    expect(guard.events.map((e) => [e.batch, e.kind])).toEqual([[5, kind]]);
    expect(guard.events[0].lr).toBeCloseTo(0.005, 10);
    expect(getOptimizerLr(opt)).toBeCloseTo(0.005, 10);
    // after the bad batch: exactly the state after batch 4
    expect(rec.weights[5]).toEqual(rec.weights[4]);
    expect(rec.opt[5]).toEqual(rec.opt[4]);
    expect(rec.weights[6]).not.toEqual(rec.weights[5]); // and training went on
    expect(h.history.rollbacks).toEqual([1]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('gives up after maxRollbacks: stops at the last good weights (or rejects fit with onGiveUp throw)', async () => {
    const x = tf.ones([12, 4]);
    const y = tf.fill([12, 2], NaN);
    const model = tinyModel();
    model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
    const w0 = model.getWeights().map((w) => Array.from(w.dataSync()));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const guard: ExplosionGuard = explosionGuard({maxRollbacks: 2, verbose: 0});
    const h = await model.fit(x, y, {epochs: 4, batchSize: 4, verbose: 0, callbacks: [guard]});
    expect(guard.events.map((e) => e.kind)).toEqual(['non-finite', 'non-finite', 'give-up']);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/explosionGuard: epoch 0 batch 2: loss NaN \(non-finite\) after 2 rollbacks \(maxRollbacks 2\); giving up/));
    warn.mockRestore();
    expect(h.epoch).toEqual([0]);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(w0);
    const m2 = tinyModel();
    m2.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
    await expect(m2.fit(x, y, {epochs: 2, batchSize: 4, verbose: 0, callbacks: [explosionGuard({maxRollbacks: 0, onGiveUp: 'throw'})]})).rejects.toThrow(/giving up\. Lower the lr/);
    tf.dispose([x, y]);
    model.dispose();
    m2.dispose();
  });

  it('leaks no tensor over a multi-epoch fit with rollbacks (tfjs and lr-schedule optimizers)', async () => {
    for (const make of [() => tf.train.adam(0.01), () => adam({lr: 0.01})]) {
      const {x, y} = data(6, NaN);
      const model = tinyModel();
      model.compile({optimizer: make(), loss: 'meanSquaredError'});
      const clean = data(-1, 0);
      await model.fit(clean.x, clean.y, {epochs: 1, batchSize: 4, shuffle: false, verbose: 0}); // creates the optimizer slots
      tf.dispose([clean.x, clean.y]);
      await expectNoLeak(async () => {
        const guard = explosionGuard({verbose: 0});
        await model.fit(x, y, {epochs: 3, batchSize: 4, shuffle: false, verbose: 0, callbacks: [guard]});
        expect(guard.rollbacks).toBe(3);
      });
      tf.dispose([x, y]);
      model.optimizer.dispose();
      model.dispose();
    }
  });
});

describe('explosionGuard arguments', () => {
  it('are checked before anything is made', () => {
    expect(() => explosionGuard({spikeFactor: 1})).toThrow('explosionGuard: spikeFactor must be a number in (1, Infinity], got 1');
    expect(() => explosionGuard({lrFactor: 0})).toThrow('explosionGuard: lrFactor must be a number in (0, 1], got 0');
    expect(() => explosionGuard({onGiveUp: 'skip' as never})).toThrow("explosionGuard: onGiveUp must be 'stop' or 'throw', got skip");
  });
});
