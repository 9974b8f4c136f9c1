import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkPositive} from './check';

/**
 * Root-mean-square normalisation over the last axis (no centring, no shift):
 * y = x * rsqrt(mean(x^2, -1) + eps) * gamma.
 *
 * Same as PyTorch `nn.RMSNorm(D, eps)` (torch >= 2.4; eps inside the square root), the
 * T5 / LLaMA RMSNorm.
 * Reference: Zhang & Sennrich 2019, https://arxiv.org/abs/1910.07467
 *
 * ```ts
 * const y = rmsNorm(tf.randomNormal([4, 16]), tf.ones([16]), 1e-6);
 * ```
 * @param x input of rank >= 1, normalised over its last axis (size D)
 * @param gamma scale, shape `[D]`
 * @param eps added to the mean square inside the square root, finite and > 0
 */
export function rmsNorm(x: tf.Tensor, gamma: tf.Tensor, eps = 1e-6): tf.Tensor {
  const fn = 'rmsNorm';
  const d = checkInput(fn, 'x', x, 1);
  checkChannelVector(fn, 'gamma', gamma, d);
  checkPositive(fn, 'eps', eps);
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gamma);
  });
}
