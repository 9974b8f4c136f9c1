import * as tf from '@tensorflow/tfjs-core';
import {checkOptionalBool, checkPositive} from './validate';
import {moments} from './moments';
import {checkNormArgs, moduleShape} from './normalized_shape';
import {ApplyOptions, NormLayer} from './norm_layer';

/**
 * Layer normalisation over the last k axes of x (k = `normalizedShape.length`; default the last
 * axis only): y = (x - mean) / sqrt(var + eps) * gamma + beta, mean and biased variance over
 * those k axes, eps inside the square root; gamma / beta (shape `normalizedShape`) may be `null`
 * (no scale / no shift). Does not depend on the batch, so it behaves the same in training and
 * inference.
 *
 * Same as PyTorch `F.layer_norm(x, normalized_shape, weight, bias, eps)` /
 * `nn.LayerNorm(normalized_shape, eps)` (https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html),
 * Keras `LayerNormalization(axis=-1)` (or `axis=[-k, ..., -1]`).
 * Reference: Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450
 *
 * ```ts
 * const y = layerNorm(tf.randomNormal([2, 5, 8]), tf.ones([8]), tf.zeros([8]), 1e-5);
 * // NHWC, per sample over (H, W, C), no affine: PyTorch F.layer_norm(x, [H, W, C])
 * const z = layerNorm(tf.randomNormal([2, 4, 4, 3]), null, null, 1e-5, [4, 4, 3]);
 * ```
 * @param x input of rank >= k whose last k axes are `normalizedShape` (default: rank >= 1,
 *   normalised over its last axis, size D)
 * @param gamma scale of shape `normalizedShape` (default `[D]`), or `null` for none (= ones)
 * @param beta shift of shape `normalizedShape` (default `[D]`), or `null` for none (= zeros)
 * @param eps added to the variance inside the square root, finite and > 0 (PyTorch default 1e-5)
 * @param normalizedShape PyTorch `normalized_shape`: the sizes of the trailing axes to normalise
 *   over, e.g. `[H, W, C]` for NHWC; an integer d means `[d]`. Default: x's last axis.
 */
export function layerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  eps = 1e-5,
  normalizedShape?: number | readonly number[],
): tf.Tensor {
  const fn = 'layerNorm';
  const axes = checkNormArgs(fn, x, normalizedShape, [['gamma', gamma], ['beta', beta]]);
  checkPositive(fn, 'eps', eps);
  return tf.tidy(() => {
    const {mean, variance} = moments(x, axes, true);
    const xHat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    const scaled = gamma != null ? tf.mul(xHat, gamma) : xHat;
    return beta != null ? tf.add(scaled, beta) : scaled;
  });
}

/**
 * Options of {@link LayerNorm}: PyTorch `nn.LayerNorm(normalized_shape, eps, elementwise_affine)`
 * (https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html). Give `channels` or
 * `normalizedShape` (both only if channels is normalizedShape's last entry).
 */
export interface LayerNormOptions {
  /** size of the normalised (last) axis; the same as `normalizedShape: [channels]` */
  channels?: number;
  /**
   * PyTorch `normalized_shape`: sizes of the last k axes of x to normalise over, e.g. `[H, W, C]`
   * for NHWC input (per sample over H, W and C); an integer d means `[d]`.
   * y = (x - mean) / sqrt(var + eps) * gamma + beta, mean and biased var over those k axes;
   * gamma / beta then have this shape.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html
   */
  normalizedShape?: number | readonly number[];
  /** added to the variance inside the square root (default 1e-5, as PyTorch) */
  eps?: number;
  /**
   * true (default): learnable gamma (ones) and beta (zeros) of shape normalizedShape,
   * y = (x - mean) / sqrt(var + eps) * gamma + beta. false: no variables,
   * y = (x - mean) / sqrt(var + eps). PyTorch `elementwise_affine`.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html
   */
  elementwiseAffine?: boolean;
  /** variable prefix (default `layer_norm`, `layer_norm_1`, ...) */
  name?: string;
}

/**
 * Layer normalisation layer over the last axis, or the last k axes given by `normalizedShape`
 * ({@link layerNorm} with learned `${name}/gamma` (ones) and `${name}/beta` (zeros) of shape
 * normalizedShape, none with `elementwiseAffine: false`); the same in training and inference.
 * Same as PyTorch `nn.LayerNorm(normalized_shape, eps, elementwise_affine)`
 * (https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html), Keras `LayerNormalization()`.
 * Reference: Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450
 *
 * ```ts
 * const ln = new LayerNorm({channels: 64, name: 'enc/ln1'});
 * const y = ln.apply(x, {training: true});
 * const ln2 = new LayerNorm({normalizedShape: [8, 8, 16], elementwiseAffine: false}); // x: [N, 8, 8, 16]
 * ```
 * @param opts see {@link LayerNormOptions}
 */
export class LayerNorm extends NormLayer {
  readonly eps: number;
  /** the normalised trailing axes' sizes (`[channels]` unless given) */
  readonly normalizedShape: readonly number[];
  readonly elementwiseAffine: boolean;
  /** shape normalizedShape; null when `elementwiseAffine` is false */
  readonly gamma: tf.Variable | null;
  /** shape normalizedShape; null when `elementwiseAffine` is false */
  readonly beta: tf.Variable | null;

  constructor(opts: LayerNormOptions) {
    const shape = moduleShape('LayerNorm', opts);
    super('LayerNorm', 'layer_norm', shape[shape.length - 1], opts?.name);
    this.normalizedShape = Object.freeze(shape);
    this.eps = opts.eps ?? 1e-5;
    checkPositive('LayerNorm', 'eps', this.eps);
    checkOptionalBool('LayerNorm', 'elementwiseAffine', opts.elementwiseAffine);
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.gamma = this.elementwiseAffine ? this.addVariable('gamma', 1, true, shape) : null;
    this.beta = this.elementwiseAffine ? this.addVariable('beta', 0, true, shape) : null;
  }

  /**
   * @param x any rank >= k whose last k axes are `normalizedShape` (`channels` in the last axis)
   * @param opts `{training}` (no effect)
   */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    this.checkApply(x, opts, 1, this.normalizedShape);
    return layerNorm(x, this.gamma, this.beta, this.eps, this.normalizedShape);
  }
}
