import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {gradientDoctor} from './gradient_doctor';

function mlp(depth: number, init: () => ReturnType<typeof tfl.initializers.heNormal>, activation: 'relu' | 'tanh'): tfl.Sequential {
  const m = tfl.sequential();
  for (let i = 0; i < depth; i++) m.add(tfl.layers.dense({units: 16, inputShape: i === 0 ? [16] : undefined, activation, kernelInitializer: init()}));
  m.add(tfl.layers.dense({units: 4, kernelInitializer: init()}));
  m.compile({optimizer: tf.train.sgd(1e-4), loss: 'sparseCategoricalCrossentropy'});
  return m;
}

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });
  const batch = () => ({x: tf.randomNormal([32, 16], 0, 1, 'float32', 3), y: tf.tensor2d(Array.from({length: 32}, (_, i) => i % 4), [32, 1])});

  it('diagnoses before training and every `every` epochs: He-init ReLU healthy, N(0, 1) ReLU exploding', async () => {
    const {x, y} = batch();
    let seed = 10;
    const good = mlp(8, () => tfl.initializers.heNormal({seed: seed++}), 'relu');
    const bad = mlp(8, () => tfl.initializers.randomNormal({mean: 0, stddev: 1, seed: seed++}), 'relu');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const dg = gradientDoctor({x, y, every: 2});
    await good.fit(x, y, {epochs: 4, verbose: 0, callbacks: [dg]});
    expect(dg.reports.map((r) => r.epoch)).toEqual([-1, 1, 3]);
    expect(dg.reports[0].status).toBe('healthy');
    expect(dg.reports[0].layers.length).toBe(9);
    expect(dg.reports[0].activationNorms.length).toBe(10); // the input and 9 dense outputs
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^gradientDoctor \(before training\): healthy\n {2}kernel/));
    const db = gradientDoctor({x, y, print: false});
    await expectNoLeak(async () => {
      await bad.fit(x, y, {epochs: 1, verbose: 0, callbacks: [db]});
    });
    log.mockRestore();
    expect(db.reports[0].status).toBe('exploding');
    expect(db.reports[0].forwardGrowthPerLayer).toBeGreaterThan(1.5);
    expect(db.reports[0].verdict).toMatch(/exploding forward pass; use He\/Glorot init/);
    tf.dispose([x, y]);
    good.dispose();
    bad.dispose();
  });
});

describe('gradientDoctor arguments', () => {
  it('are checked before anything is made', () => {
    expect(() => gradientDoctor({x: [1] as never, y: tf.zeros([1])})).toThrow('gradientDoctor: x must be a live tf.Tensor, got 1');
    const [x, y] = [tf.zeros([2, 1]), tf.zeros([3, 1])];
    expect(() => gradientDoctor({x, y})).toThrow('gradientDoctor: x and y must have the same batch size, got 2 and 3');
    expect(() => gradientDoctor({x, y: x, every: 0})).toThrow('gradientDoctor: every must be an integer in [1, Infinity], got 0');
    tf.dispose([x, y]);
  });
});
