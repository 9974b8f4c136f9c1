import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkOptionalBool, checkPositive, checkPositiveInt} from './validate';
import {moments} from './moments';
import {ApplyOptions, NormLayer} from './norm_layer';

/**
 * Group normalisation, channels last: the C channels are split into `groups` contiguous blocks
 * (group g = channels [g*C/G, (g+1)*C/G)); each (sample, group) is normalised over its spatial
 * positions and its channels, then scaled and shifted per channel:
 * y = (x - mean_{n,g}) / sqrt(var_{n,g} + eps) * gamma + beta, biased variance; gamma / beta may
 * be `null` (PyTorch `weight=None` / `bias=None`): no scale / no shift. Batch-independent: same
 * in training and inference. groups = 1 is LayerNorm over (H, W, C); groups = C is InstanceNorm.
 *
 * Same as PyTorch `F.group_norm` / `nn.GroupNorm(G, C, eps)` (on NCHW; here NHWC;
 * https://pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html), Keras `GroupNormalization`.
 * Reference: Wu & He 2018, https://arxiv.org/abs/1803.08494
 *
 * ```ts
 * const y = groupNorm(tf.randomNormal([2, 8, 8, 16]), tf.ones([16]), tf.zeros([16]), 4, 1e-5);
 * ```
 * @param x input `[N, C]`, `[N, L, C]` or NHWC `[N, H, W, C]`
 * @param gamma per-channel scale, shape `[C]`, or `null` for none (= ones)
 * @param beta per-channel shift, shape `[C]`, or `null` for none (= zeros)
 * @param groups number of groups, an integer > 0 that divides C
 * @param eps added to the variance inside the square root, finite and > 0 (PyTorch default 1e-5)
 */
export function groupNorm(
  x: tf.Tensor,
  gamma: tf.Tensor | null,
  beta: tf.Tensor | null,
  groups: number,
  eps = 1e-5,
): tf.Tensor {
  const fn = 'groupNorm';
  const c = checkInput(fn, 'x', x, 2);
  if (gamma != null) checkChannelVector(fn, 'gamma', gamma, c);
  if (beta != null) checkChannelVector(fn, 'beta', beta, c);
  checkPositiveInt(fn, 'groups', groups);
  if (c % groups !== 0) throw new Error(`${fn}: groups must divide channels (${c}), got ${groups}`);
  checkPositive(fn, 'eps', eps);
  // an empty batch (or empty spatial axes) normalises to an empty tensor; reshape could not infer it
  if (x.size === 0) return tf.zeros(x.shape);
  return tf.tidy(() => {
    const n = x.shape[0];
    // [N, S, G, C/G]: S = all spatial positions; statistics over S and the group's channels
    const grouped = tf.reshape(x, [n, -1, groups, c / groups]);
    const {mean, variance} = moments(grouped, [1, 3], true);
    const xHat = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
    const scaled = gamma != null ? tf.mul(xHat, gamma) : xHat;
    return beta != null ? tf.add(scaled, beta) : scaled;
  });
}

/**
 * Options of {@link GroupNorm}: PyTorch `nn.GroupNorm(num_groups, num_channels, eps, affine)`
 * (https://pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html).
 */
export interface GroupNormOptions {
  /** size of the channel (last) axis */
  channels: number;
  /** number of contiguous channel groups; must divide `channels` (Wu & He use 32) */
  groups: number;
  /** added to the variance inside the square root (default 1e-5, as PyTorch) */
  eps?: number;
  /**
   * true (default): learnable per-channel gamma (ones) and beta (zeros),
   * y = (x - mean_{n,g}) / sqrt(var_{n,g} + eps) * gamma + beta. false: no variables,
   * y = (x - mean_{n,g}) / sqrt(var_{n,g} + eps). PyTorch `affine`; Keras `scale` and `center`.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html
   */
  affine?: boolean;
  /** variable prefix (default `group_norm`, `group_norm_1`, ...) */
  name?: string;
}

/**
 * Group normalisation layer ({@link groupNorm} with learned per-channel `${name}/gamma` (ones)
 * and `${name}/beta` (zeros), none with `affine: false`); the same in training and inference, so
 * it works with any batch size, including 1. Pairs well with `WeightStandardization` on the preceding conv kernel.
 * Same as PyTorch `nn.GroupNorm(G, C, eps, affine)`
 * (https://pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html), Keras
 * `GroupNormalization(groups=G)`.
 * Reference: Wu & He 2018, https://arxiv.org/abs/1803.08494
 *
 * ```ts
 * const gn = new GroupNorm({channels: 64, groups: 32, name: 'res1/gn1'});
 * const y = gn.apply(x, {training: true}); // x: [N, H, W, 64]
 * ```
 * @param opts see {@link GroupNormOptions}
 */
export class GroupNorm extends NormLayer {
  readonly groups: number;
  readonly eps: number;
  readonly affine: boolean;
  /** null when `affine` is false */
  readonly gamma: tf.Variable | null;
  /** null when `affine` is false */
  readonly beta: tf.Variable | null;

  constructor(opts: GroupNormOptions) {
    super('GroupNorm', 'group_norm', opts?.channels, opts?.name);
    checkPositiveInt('GroupNorm', 'groups', opts.groups);
    if (this.channels % opts.groups !== 0) {
      throw new Error(`GroupNorm: groups must divide channels (${this.channels}), got ${opts.groups}`);
    }
    this.groups = opts.groups;
    this.eps = opts.eps ?? 1e-5;
    checkPositive('GroupNorm', 'eps', this.eps);
    checkOptionalBool('GroupNorm', 'affine', opts.affine);
    this.affine = opts.affine ?? true;
    this.gamma = this.affine ? this.addVariable('gamma', 1, true) : null;
    this.beta = this.affine ? this.addVariable('beta', 0, true) : null;
  }

  /** @param x `[N, C]` or NHWC `[N, H, W, C]`, C = `channels` @param opts `{training}` (no effect) */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    this.checkApply(x, opts, 2);
    return groupNorm(x, this.gamma, this.beta, this.groups, this.eps);
  }
}
