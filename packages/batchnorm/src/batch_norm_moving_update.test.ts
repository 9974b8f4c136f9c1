import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {batchNormMovingUpdate} from './batch_norm_moving_update';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const trainCases = (): any[] => loadGolden('normalization').cases.filter((c: any) => c.op === 'batchnorm' && c.mode === 'train');

describeBackends(['cpu', 'wasm'], () => {
  for (const c of trainCases()) {
    it(`PyTorch running stats of ${c.name}: unbiased rule, weight = momentum 0.1`, () => {
      const t = (g: unknown) => goldenTensor(g as never);
      const [mm, mv, mean, varB] = [t(c.running_mean_before), t(c.running_var_before), t(c.batch_mean), t(c.batch_var_biased)];
      const next = batchNormMovingUpdate(mm, mv, mean, varB, c.n_per_channel, c.momentum_pytorch, true);
      expectClose(next.movingMean, goldenData(c.running_mean_after));
      expectClose(next.movingVariance, goldenData(c.running_var_after));
      tf.dispose([mm, mv, mean, varB, next.movingMean, next.movingVariance]);
    });
  }

  it('biased rule (Keras) and a tensor weight: moving = (1 - w) moving + w batch', async () => {
    const [mm, mv, mean, v] = [tf.tensor1d([1, 2]), tf.tensor1d([3, 4]), tf.tensor1d([5, 6]), tf.tensor1d([7, 8])];
    const w = tf.scalar(0.25);
    await expectNoLeak(() => {
      const next = batchNormMovingUpdate(mm, mv, mean, v, 4, w, false);
      // hand values: 0.75 * [1, 2] + 0.25 * [5, 6]; 0.75 * [3, 4] + 0.25 * [7, 8]
      expectClose(next.movingMean, [2, 3]);
      expectClose(next.movingVariance, [4, 5]);
      return [next.movingMean, next.movingVariance];
    });
    tf.dispose([mm, mv, mean, v, w]);
  });
});

describe('batchNormMovingUpdate: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const [a, b] = [tf.zeros([2]), tf.zeros([3])];
    const before = tf.memory().numTensors;
    expect(() => batchNormMovingUpdate(a, a, b, a, 4, 0.1, true)).toThrow(/batchNormMovingUpdate: mean must have shape \[2\]/);
    expect(() => batchNormMovingUpdate(a, a, a, a, 1, 0.1, true)).toThrow(/batchNormMovingUpdate: n must be an integer >= 2, got 1/);
    expect(() => batchNormMovingUpdate(a, a, a, a, 4, 1.5, true)).toThrow(/batchNormMovingUpdate: batchWeight must be a number in \[0, 1\], got 1.5/);
    expect(() => batchNormMovingUpdate(null as never, a, a, a, 4, 0.1, true)).toThrow(/batchNormMovingUpdate: movingMean must be a tf.Tensor, got null/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
