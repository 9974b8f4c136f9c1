import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkPositive} from './check';
import {ApplyOptions, NormLayer} from './norm_layer';

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

/** Options of {@link RMSNorm}. */
export interface RMSNormOptions {
  /** size of the normalised (last) axis */
  channels: number;
  /** added to the mean square inside the square root (default 1e-6, as T5 / LLaMA) */
  eps?: number;
  /** variable prefix (default `rms_norm`, `rms_norm_1`, ...) */
  name?: string;
}

/**
 * RMS normalisation layer over the last axis ({@link rmsNorm} with a learned `${name}/gamma`,
 * ones); the same in training and inference.
 * Same as PyTorch `nn.RMSNorm(D, eps=1e-6)`.
 * Reference: Zhang & Sennrich 2019, https://arxiv.org/abs/1910.07467
 *
 * ```ts
 * const norm = new RMSNorm({channels: 512, name: 'dec/rms'});
 * const y = norm.apply(x, {training: true});
 * ```
 * @param opts see {@link RMSNormOptions}
 */
export class RMSNorm extends NormLayer {
  readonly eps: number;
  readonly gamma: tf.Variable;

  constructor(opts: RMSNormOptions) {
    super('RMSNorm', 'rms_norm', opts?.channels, opts?.name);
    this.eps = opts.eps ?? 1e-6;
    checkPositive('RMSNorm', 'eps', this.eps);
    this.gamma = this.addVariable('gamma', 1, true);
  }

  /** @param x any rank >= 1 with `channels` in the last axis @param opts `{training}` (no effect) */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    this.checkApply(x, opts, 1);
    return rmsNorm(x, this.gamma, this.eps);
  }
}
