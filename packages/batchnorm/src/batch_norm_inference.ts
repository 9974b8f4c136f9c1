import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkPositive} from './validate';

/**
 * Inference-mode batch normalisation with fixed (moving) statistics, channels last:
 * y = (x - movingMean) / sqrt(movingVariance + eps) * gamma + beta; `gamma` / `beta` may be `null`
 * (PyTorch `weight=None` / `bias=None`): no scale / no shift.
 *
 * Same as PyTorch `nn.BatchNorm1d/2d.eval()`, Keras `BatchNormalization(training=False)`,
 * `tf.batchNorm`. The statistics are treated as constants by the gradient (tf.grads returns
 * gradients for them, but nothing should update them from those).
 * Reference: Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167
 *
 * ```ts
 * const y = batchNormInference(x, bn.movingMean, bn.movingVariance, bn.gamma, bn.beta, 1e-5);
 * ```
 * @param x input `[N, C]` or NHWC `[N, H, W, C]` (any rank >= 1, channels last)
 * @param movingMean per-channel mean, shape `[C]`
 * @param movingVariance per-channel variance, shape `[C]`
 * @param gamma per-channel scale, shape `[C]`, or `null` for none (= ones)
 * @param beta per-channel shift, shape `[C]`, or `null` for none (= zeros)
 * @param eps added to the variance inside the square root, finite and > 0
 */
export function batchNormInference(
  x: tf.Tensor,
  movingMean: tf.Tensor,
  movingVariance: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  eps = 1e-5,
): tf.Tensor {
  const fn = 'batchNormInference';
  const c = checkInput(fn, 'x', x, 1);
  checkChannelVector(fn, 'movingMean', movingMean, c);
  checkChannelVector(fn, 'movingVariance', movingVariance, c);
  if (gamma != null) checkChannelVector(fn, 'gamma', gamma, c);
  if (beta != null) checkChannelVector(fn, 'beta', beta, c);
  checkPositive(fn, 'eps', eps);
  return tf.tidy(() => {
    // fold everything per-channel into one scale and one shift: y = x * scale + shift
    const inv = tf.rsqrt(tf.add(movingVariance, eps));
    const scale = gamma != null ? tf.mul(gamma, inv) : inv;
    const meanScaled = tf.mul(movingMean, scale);
    const shift = beta != null ? tf.sub(beta, meanScaled) : tf.neg(meanScaled);
    return tf.add(tf.mul(x, scale), shift);
  });
}
