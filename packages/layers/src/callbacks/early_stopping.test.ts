import * as tf from '@tensorflow/tfjs-core';
import {describeBackends} from '@stable-train/testing';
import {Recorder, scalarModel} from '../../test/helpers';
import {earlyStopping} from './early_stopping';

/**
 * Training targets y = 2x pull the single weight from 0 towards 2; validation targets y = x make
 * the validation loss (w − 1)² fall until w passes 1, then rise: a best epoch in the middle.
 */
function run(restoreBestWeights: boolean, patience: number) {
  return async () => {
    const model = scalarModel(0);
    model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError'});
    const x = tf.ones([4, 1]);
    const [y, yv] = [tf.fill([4, 1], 2), tf.ones([4, 1])];
    const stop = earlyStopping({patience, restoreBestWeights});
    const rec = new Recorder();
    const h = await model.fit(x, y, {epochs: 40, batchSize: 4, verbose: 0, validationData: [x, yv], callbacks: [rec, stop]});
    const val = h.history.val_loss as number[];
    const best = val.indexOf(Math.min(...val));
    const final = Array.from(model.getWeights()[0].dataSync());
    tf.dispose([x, y, yv]);
    model.dispose();
    return {val, best, final, rec, stop, epochs: h.epoch.length};
  };
}

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it('stops `patience` epochs after the best one and restores the best weights', async () => {
    const r = await run(true, 3)();
    expect(r.best).toBeGreaterThan(0);
    expect(r.epochs).toBe(r.best + 3 + 1); // epochs best+1 .. best+3 are the patience
    expect(r.stop.stoppedEpoch).toBe(r.best + 3);
    expect(r.stop.bestEpoch).toBe(r.best);
    expect(r.final).toEqual(r.rec.epochs[r.best]);
    expect(r.final).not.toEqual(r.rec.epochs[r.epochs - 1]);
  });

  it('without restoreBestWeights keeps the last weights', async () => {
    const r = await run(false, 2)();
    expect(r.final).toEqual(r.rec.epochs[r.epochs - 1]);
  });

  it('baseline: an epoch that does not beat it does not reset the wait (Keras 3); warns when the key is missing', async () => {
    const model = scalarModel(0);
    model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError'});
    // x = 0: the loss is the constant mean(y²) = 4, an improvement only at epoch 0 (over +inf)
    const [x, y] = [tf.zeros([4, 1]), tf.fill([4, 1], 2)];
    const plain = await model.fit(x, y, {epochs: 10, verbose: 0, callbacks: [earlyStopping({monitor: 'loss', patience: 2})]});
    expect(plain.epoch).toEqual([0, 1, 2]);
    const h = await model.fit(x, y, {epochs: 10, verbose: 0, callbacks: [earlyStopping({monitor: 'loss', patience: 2, baseline: 1})]});
    expect(h.epoch).toEqual([0, 1]);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await model.fit(x, y, {epochs: 1, verbose: 0, callbacks: [earlyStopping()]});
    expect(warn).toHaveBeenCalledWith('Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss');
    warn.mockRestore();
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('earlyStopping arguments', () => {
  it('are checked before anything is made', () => {
    expect(() => earlyStopping({patience: -1})).toThrow('earlyStopping: patience must be an integer in [0, Infinity], got -1');
    expect(() => earlyStopping({baseline: NaN})).toThrow('earlyStopping: baseline must be a finite number, got NaN');
    expect(() => earlyStopping({restoreBestWeights: 1 as never})).toThrow('earlyStopping: restoreBestWeights must be true or false, got 1');
  });
});
