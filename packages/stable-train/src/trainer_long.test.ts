import * as tf from '@tensorflow/tfjs-core';
import {useBackend} from '@stable-train/testing';
import {Trainer} from './trainer';
import {tinyBatch, tinyModel} from './test_util';

describe('Trainer over 10,000 steps', () => {
  it('keeps the tensor count flat', async () => {
    await useBackend('wasm');
    const model = tinyModel(2, 4, 2);
    const batch = tinyBatch(4, 2, 2);
    const opt = tf.train.momentum(0.01, 0.9);
    const trainer = new Trainer({model, optimizer: opt, logEvery: 1000, schedule: (s) => 0.01 / (1 + s / 1000)});
    await trainer.step(batch);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10000; i++) await trainer.step(batch);
    await trainer.flush();
    expect(tf.memory().numTensors).toBe(before);
    expect(trainer.history.length).toBe(10);
    trainer.dispose();
    tf.dispose([batch.x, batch.y]);
    model.dispose();
    opt.dispose();
  }, 300000);
});
