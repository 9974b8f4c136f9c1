import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkPositive} from './check';

/**
 * Inference-mode batch normalisation with fixed (moving) statistics, channels last:
 * y = (x - movingMean) / sqrt(movingVariance + eps) * gamma + beta.
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
 * @param gamma per-channel scale, shape `[C]`
 * @param beta per-channel shift, shape `[C]`
 * @param eps added to the variance inside the square root, finite and > 0
 */
export function batchNormInference(
  x: tf.Tensor,
  movingMean: tf.Tensor,
  movingVariance: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps = 1e-5,
): tf.Tensor {
  const fn = 'batchNormInference';
  const c = checkInput(fn, 'x', x, 1);
  checkChannelVector(fn, 'movingMean', movingMean, c);
  checkChannelVector(fn, 'movingVariance', movingVariance, c);
  checkChannelVector(fn, 'gamma', gamma, c);
  checkChannelVector(fn, 'beta', beta, c);
  checkPositive(fn, 'eps', eps);
  return tf.tidy(() => {
    // fold everything per-channel into one scale and one shift: y = x * scale + shift
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(movingVariance, eps)));
    const shift = tf.sub(beta, tf.mul(movingMean, scale));
    return tf.add(tf.mul(x, scale), shift);
  });
}
