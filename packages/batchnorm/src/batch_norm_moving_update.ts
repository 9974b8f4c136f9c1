import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkUnit, show} from './validate';

/** What {@link batchNormMovingUpdate} returns: the new moving statistics (fresh tensors). */
export interface BatchNormMovingStats {
  movingMean: tf.Tensor;
  movingVariance: tf.Tensor;
}

/**
 * The moving-average step of batch normalisation, as a pure function (it assigns nothing):
 * movingMean' = (1 - w) * movingMean + w * mean,
 * movingVariance' = (1 - w) * movingVariance + w * v, with v = variance * n / (n - 1) when
 * `unbiased` (PyTorch) and v = variance otherwise (Keras / TF.js layers); w = `batchWeight`, the
 * weight of the NEW batch statistic (PyTorch's momentum; Keras momentum m means w = 1 - m).
 *
 * `BatchNorm` / `BatchRenorm` use it for their moving statistics; adapters that keep the
 * statistics in their own variables (the tf.layers layers of `@stable-train/layers`) call it and
 * write the result back. Nothing it returns should reach a loss (the statistics get no gradient).
 * Reference: PyTorch `nn.BatchNorm2d` running stats,
 * https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
 *
 * ```ts
 * const {y, mean, variance} = batchNormTrain(x, gamma, beta, 1e-5);
 * const next = batchNormMovingUpdate(movingMean, movingVariance, mean, variance, 8, 0.1, true);
 * ```
 * @param movingMean current moving mean, shape `[C]`
 * @param movingVariance current moving variance, shape `[C]`
 * @param mean the batch mean, shape `[C]` (from `batchNormTrain`)
 * @param variance the BIASED batch variance, shape `[C]` (from `batchNormTrain`)
 * @param n values per channel the batch statistics were taken over (> 1 when `unbiased`)
 * @param batchWeight weight of the new statistic, a number in [0, 1] or a scalar tensor
 *   (PyTorch `momentum=None`: 1 / num_batches_tracked)
 * @param unbiased true: the moving variance takes the unbiased batch variance (PyTorch)
 * @returns the new moving mean and variance; the caller owns them
 */
export function batchNormMovingUpdate(
  movingMean: tf.Tensor,
  movingVariance: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  n: number,
  batchWeight: number | tf.Tensor,
  unbiased: boolean,
): BatchNormMovingStats {
  const fn = 'batchNormMovingUpdate';
  if (!(movingMean instanceof tf.Tensor)) checkChannelVector(fn, 'movingMean', movingMean, 0);
  const c = movingMean.shape[0];
  checkChannelVector(fn, 'movingMean', movingMean, c);
  checkChannelVector(fn, 'movingVariance', movingVariance, c);
  checkChannelVector(fn, 'mean', mean, c);
  checkChannelVector(fn, 'variance', variance, c);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (unbiased ? 2 : 1)) {
    throw new Error(`${fn}: n must be an integer >= ${unbiased ? 2 : 1}, got ${show(n)}`);
  }
  if (!(batchWeight instanceof tf.Tensor)) checkUnit(fn, 'batchWeight', batchWeight);
  if (typeof unbiased !== 'boolean') throw new Error(`${fn}: unbiased must be true or false, got ${show(unbiased)}`);
  return tf.tidy(() => {
    const w = batchWeight;
    const keep = typeof w === 'number' ? 1 - w : tf.sub(1, w);
    // PyTorch feeds the running variance the unbiased estimate; Keras the biased one
    const batchVar = unbiased ? tf.mul(variance, n / (n - 1)) : variance;
    return {
      movingMean: tf.add(tf.mul(movingMean, keep), tf.mul(mean, w)),
      movingVariance: tf.add(tf.mul(movingVariance, keep), tf.mul(batchVar, w)),
    };
  });
}
