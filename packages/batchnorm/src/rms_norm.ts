import * as tf from '@tensorflow/tfjs-core';
import {checkOptionalBool, checkPositive} from './validate';
import {checkNormArgs, moduleShape} from './normalized_shape';
import {ApplyOptions, NormLayer} from './norm_layer';

/**
 * Root-mean-square normalisation over the last k axes of x (k = `normalizedShape.length`;
 * default the last axis only), no centring, no shift:
 * y = x / sqrt(mean(x^2 over those k axes) + eps) * gamma; gamma (shape `normalizedShape`) may
 * be `null` (no scale).
 *
 * Same as PyTorch `nn.RMSNorm(normalized_shape, eps, elementwise_affine)` / `F.rms_norm`
 * (torch >= 2.4; eps inside the square root;
 * https://pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html), the T5 / LLaMA RMSNorm.
 * PyTorch's default `eps=None` means `torch.finfo(x.dtype).eps`, 1.1920929e-07 for float32;
 * pass `1.1920929e-7` for that (our default stays 1e-6).
 * Reference: Zhang & Sennrich 2019, https://arxiv.org/abs/1910.07467
 *
 * ```ts
 * const y = rmsNorm(tf.randomNormal([4, 16]), tf.ones([16]), 1e-6);
 * // over the last two axes, no weight, PyTorch's float32 default eps
 * const z = rmsNorm(tf.randomNormal([4, 8, 16]), null, 1.1920929e-7, [8, 16]);
 * ```
 * @param x input of rank >= k whose last k axes are `normalizedShape` (default: rank >= 1,
 *   normalised over its last axis, size D)
 * @param gamma scale of shape `normalizedShape` (default `[D]`), or `null` for none (= ones)
 * @param eps added to the mean square inside the square root, finite and > 0
 * @param normalizedShape PyTorch `normalized_shape`: the sizes of the trailing axes to normalise
 *   over, e.g. `[L, D]`; an integer d means `[d]`. Default: x's last axis.
 */
export function rmsNorm(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  eps = 1e-6,
  normalizedShape?: number | readonly number[],
): tf.Tensor {
  const fn = 'rmsNorm';
  const axes = checkNormArgs(fn, x, normalizedShape, [['gamma', gamma]]);
  checkPositive(fn, 'eps', eps);
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), axes, true);
    const normed = tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps)));
    return gamma != null ? tf.mul(normed, gamma) : normed;
  });
}

/**
 * Options of {@link RMSNorm}: PyTorch `nn.RMSNorm(normalized_shape, eps, elementwise_affine)`
 * (https://pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html). Give `channels` or
 * `normalizedShape` (both only if channels is normalizedShape's last entry).
 */
export interface RMSNormOptions {
  /** size of the normalised (last) axis; the same as `normalizedShape: [channels]` */
  channels?: number;
  /**
   * PyTorch `normalized_shape`: sizes of the last k axes of x to normalise over, e.g. `[L, D]`;
   * an integer d means `[d]`. y = x / sqrt(mean(x^2 over those k axes) + eps) * gamma; gamma
   * then has this shape.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html
   */
  normalizedShape?: number | readonly number[];
  /**
   * added to the mean square inside the square root (default 1e-6, as T5 / LLaMA). PyTorch's
   * default `eps=None` is `torch.finfo(x.dtype).eps`, i.e. 1.1920929e-07 for float32: pass
   * `eps: 1.1920929e-7` to match it.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html
   */
  eps?: number;
  /**
   * true (default): a learnable gamma (ones) of shape normalizedShape,
   * y = x / sqrt(mean(x^2) + eps) * gamma. false: no variables, y = x / sqrt(mean(x^2) + eps).
   * PyTorch `elementwise_affine`.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html
   */
  elementwiseAffine?: boolean;
  /** variable prefix (default `rms_norm`, `rms_norm_1`, ...) */
  name?: string;
}

/**
 * RMS normalisation layer over the last axis, or the last k axes given by `normalizedShape`
 * ({@link rmsNorm} with a learned `${name}/gamma`, ones of shape normalizedShape, none with
 * `elementwiseAffine: false`); the same in training and inference.
 * Same as PyTorch `nn.RMSNorm(normalized_shape, eps=1e-6, elementwise_affine)`
 * (https://pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html).
 * Reference: Zhang & Sennrich 2019, https://arxiv.org/abs/1910.07467
 *
 * ```ts
 * const norm = new RMSNorm({channels: 512, name: 'dec/rms'});
 * const y = norm.apply(x, {training: true});
 * const torchDefault = new RMSNorm({normalizedShape: [16, 512], eps: 1.1920929e-7}); // x: [N, 16, 512]
 * ```
 * @param opts see {@link RMSNormOptions}
 */
export class RMSNorm extends NormLayer {
  readonly eps: number;
  /** the normalised trailing axes' sizes (`[channels]` unless given) */
  readonly normalizedShape: readonly number[];
  readonly elementwiseAffine: boolean;
  /** shape normalizedShape; null when `elementwiseAffine` is false */
  readonly gamma: tf.Variable | null;

  constructor(opts: RMSNormOptions) {
    const shape = moduleShape('RMSNorm', opts);
    super('RMSNorm', 'rms_norm', shape[shape.length - 1], opts?.name);
    this.normalizedShape = Object.freeze(shape);
    this.eps = opts.eps ?? 1e-6;
    checkPositive('RMSNorm', 'eps', this.eps);
    checkOptionalBool('RMSNorm', 'elementwiseAffine', opts.elementwiseAffine);
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.gamma = this.elementwiseAffine ? this.addVariable('gamma', 1, true, shape) : null;
  }

  /**
   * @param x any rank >= k whose last k axes are `normalizedShape` (`channels` in the last axis)
   * @param opts `{training}` (no effect)
   */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    this.checkApply(x, opts, 1, this.normalizedShape);
    return rmsNorm(x, this.gamma, this.eps, this.normalizedShape);
  }
}
