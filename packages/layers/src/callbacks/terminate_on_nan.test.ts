import * as tf from '@tensorflow/tfjs-core';
import {describeBackends} from '@stable-train/testing';
import {scalarModel} from '../../test/helpers';
import {terminateOnNaN} from './terminate_on_nan';

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it('stops fit after the first batch with a NaN loss, with Keras message', async () => {
    const model = scalarModel(1);
    model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
    const x = tf.ones([6, 1]);
    const y = tf.tensor2d([0, 0, NaN, 0, 0, 0], [6, 1]);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const cb = terminateOnNaN();
    const h = await model.fit(x, y, {epochs: 5, batchSize: 2, shuffle: false, verbose: 0, callbacks: [cb]});
    expect(log).toHaveBeenCalledWith('Batch 1: Invalid loss, terminating training');
    log.mockRestore();
    expect(cb.stoppedAtBatch).toBe(1);
    expect(h.epoch).toEqual([0]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('leaves a healthy fit alone', async () => {
    const model = scalarModel(1);
    model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
    const [x, y] = [tf.ones([4, 1]), tf.zeros([4, 1])];
    const h = await model.fit(x, y, {epochs: 3, batchSize: 2, verbose: 0, callbacks: [terminateOnNaN()]});
    expect(h.epoch).toEqual([0, 1, 2]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
