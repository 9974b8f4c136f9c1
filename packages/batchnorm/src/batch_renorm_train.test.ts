import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {batchNormTrain} from './batch_norm_train';
import {batchRenormTrain} from './batch_renorm_train';

describeBackends(['cpu', 'wasm'], () => {
  it('rMax = 1, dMax = 0 is batchNormTrain (forward and gradients)', async () => {
    const x = tf.randomNormal([6, 3]);
    const [g, b, mm, mv] = [tf.randomNormal([3]), tf.randomNormal([3]), tf.randomNormal([3]), tf.randomUniform([3], 0.5, 2)];
    await expectNoLeak(() => {
      const r = batchRenormTrain(x, g, b, mm, mv, 1, 0, 1e-3);
      const p = batchNormTrain(x, g, b, 1e-3);
      expectClose(r.y, p.y, {rtol: 1e-5, atol: 1e-6});
      expectClose(r.mean, p.mean);
      expectClose(r.variance, p.variance);
      type Op = (v: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, e: number) => {y: tf.Tensor};
      const f = (fn: Op) => tf.grads((v: tf.Tensor, gg: tf.Tensor) => tf.sum(tf.square(fn(v, gg, b, 1e-3).y)))([x, g]);
      const ga = f((v, gg, bb, e) => batchRenormTrain(v, gg, bb, mm, mv, 1, 0, e));
      const gb = f(batchNormTrain);
      ga.forEach((t, i) => expectClose(t, gb[i], {rtol: 1e-4, atol: 1e-5}));
      return [r.y, r.mean, r.variance, p.y, p.mean, p.variance, ...ga, ...gb];
    });
    tf.dispose([x, g, b, mm, mv]);
  });

  it('corrects toward the moving statistics: y = ((x - mean_B) / sigma_B * r + d) with r, d clipped', () => {
    // hand case, one channel: x = [0, 2], mean_B = 1, var_B = 1; moving mean 0, variance 4 (eps ~0)
    // sigma_B = 1, sigma = 2: r = clip(0.5, 1/3, 3) = 0.5, d = clip(0.5, -5, 5) = 0.5
    const x = tf.tensor2d([[0], [2]]);
    const [mm, mv] = [tf.tensor1d([0]), tf.tensor1d([4])];
    const r = batchRenormTrain(x, null, null, mm, mv, 3, 5, 1e-12);
    expectClose(r.y, [-1 * 0.5 + 0.5, 1 * 0.5 + 0.5]);
    tf.dispose([x, mm, mv, r.y, r.mean, r.variance]);
  });
});

describe('batchRenormTrain: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const [x, v, v3] = [tf.zeros([4, 2]), tf.ones([2]), tf.ones([3])];
    const before = tf.memory().numTensors;
    expect(() => batchRenormTrain(x, v, v, v, v, 0.5, 1, 1e-3)).toThrow(/batchRenormTrain: rMax must be a number >= 1, got 0.5/);
    expect(() => batchRenormTrain(x, v, v, v, v, 2, -1, 1e-3)).toThrow(/batchRenormTrain: dMax must be a number >= 0, got -1/);
    expect(() => batchRenormTrain(x, v, v, v3, v, 2, 1, 1e-3)).toThrow(/batchRenormTrain: movingMean must have shape \[2\]/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, v, v3]);
  });
});
