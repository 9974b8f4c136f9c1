import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkPositive} from './check';
import {moments} from './moments';

/**
 * Layer normalisation over the last axis:
 * y = (x - mean(x, -1)) / sqrt(var(x, -1) + eps) * gamma + beta, biased variance, eps inside
 * the square root. Does not depend on the batch, so it behaves the same in training and inference.
 *
 * Same as PyTorch `nn.LayerNorm(D, eps)` / `F.layer_norm(x, [D])`, Keras
 * `LayerNormalization(axis=-1)`.
 * Reference: Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450
 *
 * ```ts
 * const y = layerNorm(tf.randomNormal([2, 5, 8]), tf.ones([8]), tf.zeros([8]), 1e-5);
 * ```
 * @param x input of rank >= 1, normalised over its last axis (size D)
 * @param gamma scale, shape `[D]`
 * @param beta shift, shape `[D]`
 * @param eps added to the variance inside the square root, finite and > 0 (PyTorch default 1e-5)
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const fn = 'layerNorm';
  const d = checkInput(fn, 'x', x, 1);
  checkChannelVector(fn, 'gamma', gamma, d);
  checkChannelVector(fn, 'beta', beta, d);
  checkPositive(fn, 'eps', eps);
  return tf.tidy(() => {
    const {mean, variance} = moments(x, [x.rank - 1], true);
    const xHat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(xHat, gamma), beta);
  });
}
