import * as tf from '@tensorflow/tfjs-core';
import {batchAxes, checkChannelVector, checkInput, checkMoreThanOne, checkPositive} from './validate';
import {moments} from './moments';

/** What {@link batchNormTrain} returns: the output and the batch statistics it used. */
export interface BatchNormTrainResult {
  /** the normalised, scaled and shifted input, same shape as x */
  y: tf.Tensor;
  /** per-channel batch mean, shape [C] */
  mean: tf.Tensor1D;
  /** per-channel BIASED batch variance (divided by n), shape [C]; the one that normalises */
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch normalisation over every axis but the last (channels last):
 * y = (x - mean_B) / sqrt(var_B + eps) * gamma + beta, with mean_B and the biased var_B
 * (divided by n) taken per channel over the batch (and H, W for NHWC input). `gamma` / `beta`
 * may be `null` (PyTorch `weight=None` / `bias=None`): no scale / no shift, and no tensor is made
 * in their place.
 *
 * Same as PyTorch `F.batch_norm(..., training=True)` / `nn.BatchNorm1d/2d.train()` (forward and
 * gradients), Keras `BatchNormalization(training=True)`. Differentiable with `tf.grads`: the
 * gradient flows through the batch statistics too. Moving statistics are not touched here
 * (see `BatchNorm`).
 * Reference: Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167
 *
 * ```ts
 * const x = tf.randomNormal([8, 4, 4, 3]);
 * const {y, mean, variance} = batchNormTrain(x, tf.ones([3]), tf.zeros([3]), 1e-5);
 * ```
 * @param x input `[N, C]`, `[N, L, C]` or NHWC `[N, H, W, C]`; needs more than one value per channel
 * @param gamma per-channel scale, shape `[C]`, or `null` for none (= ones)
 * @param beta per-channel shift, shape `[C]`, or `null` for none (= zeros)
 * @param eps added to the variance inside the square root, finite and > 0 (PyTorch default 1e-5)
 * @returns `{y, mean, variance}`; the statistics are returned for moving averages
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  eps = 1e-5,
): BatchNormTrainResult {
  const fn = 'batchNormTrain';
  const c = checkInput(fn, 'x', x, 2);
  if (gamma != null) checkChannelVector(fn, 'gamma', gamma, c);
  if (beta != null) checkChannelVector(fn, 'beta', beta, c);
  checkPositive(fn, 'eps', eps);
  checkMoreThanOne(fn, x);
  return tf.tidy(() => {
    const {mean, variance} = moments(x, batchAxes(x.rank), false);
    // One [C] scale, so the full-size work is one sub, one mul and one add (see README: faster
    // than tf.batchNorm on wasm once the backward pass is counted).
    const inv = tf.rsqrt(tf.add(variance, eps));
    const scale = gamma != null ? tf.mul(gamma, inv) : inv;
    const normed = tf.mul(tf.sub(x, mean), scale);
    const y = beta != null ? tf.add(normed, beta) : normed;
    return {y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D};
  });
}
