import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkPositive} from './check';
import {moments} from './moments';
import {ApplyOptions, NormLayer} from './norm_layer';

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

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** size of the normalised (last) axis */
  channels: number;
  /** added to the variance inside the square root (default 1e-5, as PyTorch) */
  eps?: number;
  /** variable prefix (default `layer_norm`, `layer_norm_1`, ...) */
  name?: string;
}

/**
 * Layer normalisation layer over the last axis ({@link layerNorm} with learned `${name}/gamma`
 * (ones) and `${name}/beta` (zeros)); the same in training and inference.
 * Same as PyTorch `nn.LayerNorm(D)`, Keras `LayerNormalization()`.
 * Reference: Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450
 *
 * ```ts
 * const ln = new LayerNorm({channels: 64, name: 'enc/ln1'});
 * const y = ln.apply(x, {training: true});
 * ```
 * @param opts see {@link LayerNormOptions}
 */
export class LayerNorm extends NormLayer {
  readonly eps: number;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(opts: LayerNormOptions) {
    super('LayerNorm', 'layer_norm', opts?.channels, opts?.name);
    this.eps = opts.eps ?? 1e-5;
    checkPositive('LayerNorm', 'eps', this.eps);
    this.gamma = this.addVariable('gamma', 1, true);
    this.beta = this.addVariable('beta', 0, true);
  }

  /** @param x any rank >= 1 with `channels` in the last axis @param opts `{training}` (no effect) */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    this.checkApply(x, opts, 1);
    return layerNorm(x, this.gamma, this.beta, this.eps);
  }
}
