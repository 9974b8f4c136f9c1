import * as tf from '@tensorflow/tfjs-core';
import {batchAxes, checkChannelVector, checkInput, checkMoreThanOne, checkPositive, show} from './validate';
import type {BatchNormTrainResult} from './batch_norm_train';
import {moments} from './moments';
import {stopGradient} from './stop_gradient';

/**
 * Training-mode batch renormalisation as a pure function (moving statistics are read, not
 * updated): r = clip(sigma_B / sigma, 1/rMax, rMax), d = clip((mean_B - movingMean) / sigma,
 * -dMax, dMax), y = ((x - mean_B) / sigma_B * r + d) * gamma + beta, with
 * sigma_B = sqrt(var_B + eps) (biased var_B), sigma = sqrt(movingVariance + eps); r and d are
 * stop-gradient (constants for backprop). `gamma` / `beta` may be `null` (no scale / shift).
 *
 * `BatchRenorm` calls it and then updates its moving statistics from the returned batch
 * statistics (`batchNormMovingUpdate`). rMax = 1, dMax = 0 is plain `batchNormTrain`.
 * Reference: Ioffe 2017, https://arxiv.org/abs/1702.03275
 *
 * ```ts
 * const {y, mean, variance} = batchRenormTrain(x, gamma, beta, movingMean, movingVariance, 3, 5, 1e-3);
 * ```
 * @param x input `[N, C]`, `[N, L, C]` or NHWC `[N, H, W, C]`; more than one value per channel
 * @param gamma per-channel scale `[C]`, or `null`
 * @param beta per-channel shift `[C]`, or `null`
 * @param movingMean moving mean `[C]` (read only)
 * @param movingVariance moving variance `[C]` (read only)
 * @param rMax r is clipped to [1/rMax, rMax]; a number >= 1
 * @param dMax d is clipped to [-dMax, dMax]; a number >= 0
 * @param eps added to the variances inside the square roots, finite and > 0
 * @returns `{y, mean, variance}` (batch mean and biased batch variance, `[C]`)
 */
export function batchRenormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  movingMean: tf.Tensor,
  movingVariance: tf.Tensor,
  rMax: number,
  dMax: number,
  eps: number,
): BatchNormTrainResult {
  const fn = 'batchRenormTrain';
  const c = checkInput(fn, 'x', x, 2);
  if (gamma != null) checkChannelVector(fn, 'gamma', gamma, c);
  if (beta != null) checkChannelVector(fn, 'beta', beta, c);
  checkChannelVector(fn, 'movingMean', movingMean, c);
  checkChannelVector(fn, 'movingVariance', movingVariance, c);
  if (typeof rMax !== 'number' || Number.isNaN(rMax) || rMax < 1) {
    throw new Error(`${fn}: rMax must be a number >= 1, got ${show(rMax)}`);
  }
  if (typeof dMax !== 'number' || Number.isNaN(dMax) || dMax < 0) {
    throw new Error(`${fn}: dMax must be a number >= 0, got ${show(dMax)}`);
  }
  checkPositive(fn, 'eps', eps);
  checkMoreThanOne(fn, x);
  return tf.tidy(() => {
    const {mean, variance} = moments(x, batchAxes(x.rank), false);
    const sigmaB = tf.sqrt(tf.add(variance, eps));
    const sigma = tf.sqrt(tf.add(movingVariance, eps));
    const r = stopGradient(tf.clipByValue(tf.div(sigmaB, sigma), 1 / rMax, rMax));
    const d = stopGradient(tf.clipByValue(tf.div(tf.sub(mean, movingMean), sigma), -dMax, dMax));
    // y = (x - mean_B) * (gamma * r / sigma_B) + (beta + gamma * d): two [C] vectors, 3 full-size ops
    // (without affine: scale r / sigma_B, shift d)
    const scale = tf.div(gamma !== null ? tf.mul(gamma, r) : r, sigmaB);
    const shift = gamma !== null && beta !== null ? tf.add(beta, tf.mul(gamma, d)) : d;
    const y = tf.add(tf.mul(tf.sub(x, mean), scale), shift);
    return {y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D};
  });
}
