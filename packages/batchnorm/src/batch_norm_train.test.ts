import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {batchNormTrain} from './batch_norm_train';
import {FWD, cases, checkAgainstGolden} from '../test/golden_check';

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases('batchnorm', 'train')) {
    it(`matches PyTorch ${c.name}: y, dx, dgamma, dbeta`, () => {
      checkAgainstGolden(c, (x, g, b) => batchNormTrain(x, g, b!, c.eps).y);
    });

    it(`returns the batch mean and the biased variance (${c.name})`, () => {
      const [x, g, b] = [goldenTensor(c.x), goldenTensor(c.gamma), goldenTensor(c.beta)];
      const {y, mean, variance} = batchNormTrain(x, g, b, c.eps);
      expect(mean.shape).toEqual([g.shape[0]]);
      expectClose(mean, goldenData(c.batch_mean), FWD);
      expectClose(variance, goldenData(c.batch_var_biased), FWD);
      tf.dispose([x, g, b, y, mean, variance]);
    });
  }

  it('gamma / beta null (PyTorch weight=None, bias=None): no scale / no shift, no leak', async () => {
    // expected: the golden y with gamma, beta undone, (y - beta) / gamma, and partial versions
    const c = cases('batchnorm', 'train')[2];
    const C = c.gamma.shape[0];
    const [x, g, b] = [goldenTensor(c.x), goldenTensor(c.gamma), goldenTensor(c.beta)];
    const gd = goldenData(c.gamma), bd = goldenData(c.beta);
    const xhat = goldenData(c.y).map((v, i) => (v - bd[i % C]) / gd[i % C]);
    const cases4: [tf.Tensor | null, tf.Tensor | null, number[]][] = [
      [null, null, xhat],
      [g, null, xhat.map((v, i) => v * gd[i % C])],
      [null, b, xhat.map((v, i) => v + bd[i % C])],
    ];
    for (const [gamma, beta, expected] of cases4) {
      const {y, mean, variance} = batchNormTrain(x, gamma, beta, c.eps);
      expectClose(y, expected, FWD);
      expectClose(variance, goldenData(c.batch_var_biased), FWD);
      tf.dispose([y, mean, variance]);
      await expectNoLeak(() => batchNormTrain(x, gamma, beta, c.eps));
    }
    tf.dispose([x, g, b]);
  });

  it('leaks nothing, forward or backward', async () => {
    const c = cases('batchnorm', 'train')[2];
    const [x, g, b] = [goldenTensor(c.x), goldenTensor(c.gamma), goldenTensor(c.beta)];
    await expectNoLeak(() => batchNormTrain(x, g, b, 1e-5));
    await expectNoLeak(() => tf.grads((a: tf.Tensor, s: tf.Tensor) => tf.sum(batchNormTrain(a, s, b).y))([x, g]));
    tf.dispose([x, g, b]);
  });
});

describe('batchNormTrain arguments', () => {
  const g = tf.ones([3]);
  const b = tf.zeros([3]);
  afterAll(() => tf.dispose([g, b]));

  it('rejects one value per channel in training, like PyTorch', () => {
    const x = tf.ones([1, 3]);
    const x4 = tf.ones([1, 1, 1, 3]);
    expect(() => batchNormTrain(x, g, b)).toThrow(/Expected more than 1 value per channel when training.*\[1,3\]/);
    expect(() => batchNormTrain(x4, g, b)).toThrow(/Expected more than 1 value per channel/);
    tf.dispose([x, x4]);
  });

  it('accepts batch size 1 when H*W > 1 (PyTorch does too)', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 1, 3]);
    const {y, mean, variance} = batchNormTrain(x, g, b);
    // hand-computed: channel 0 holds 1 and 4 -> mean 2.5
    expectClose(mean, [2.5, 3.5, 4.5]);
    tf.dispose([x, y, mean, variance]);
  });

  it('names the argument and the bad value, before making tensors', () => {
    const x = tf.ones([4, 3]);
    const g2 = tf.ones([2]);
    const before = tf.memory().numTensors;
    expect(() => batchNormTrain(x, g2, b)).toThrow('batchNormTrain: gamma must have shape [3] (the last axis of x), got [2]');
    expect(() => batchNormTrain(x, g, b, 0)).toThrow('batchNormTrain: eps must be a finite number > 0, got 0');
    expect(() => batchNormTrain(tf.ones([3]) as tf.Tensor, g, b)).toThrow(/x must have rank >= 2/);
    expect(tf.memory().numTensors).toBe(before + 1); // only the tf.ones([3]) made in the test
    tf.dispose([x, g2]);
  });
});
