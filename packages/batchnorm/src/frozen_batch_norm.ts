import * as tf from '@tensorflow/tfjs-core';
import {batchNormInference} from './batch_norm_inference';
import type {BatchNorm} from './batch_norm';
import {checkPositive, show} from './validate';
import {ApplyOptions, NormLayer} from './norm_layer';

/** Options of {@link FrozenBatchNorm}: torchvision `FrozenBatchNorm2d(num_features, eps)`. */
export interface FrozenBatchNormOptions {
  /** size of the channel (last) axis */
  channels: number;
  /** added to the variance inside the square root (default 1e-5, as torchvision) */
  eps?: number;
  /** variable prefix (default `batch_norm`, `batch_norm_1`, ...: the names `BatchNorm` would use) */
  name?: string;
}

/**
 * Batch normalisation with everything fixed, channels last: y = x · scale + shift with
 * scale = gamma · rsqrt(moving_variance + eps), shift = beta - moving_mean · scale, the same in
 * training and inference; no variable is trainable and no statistic is updated.
 * Its functional form is `batchNormInference(x, movingMean, movingVariance, gamma, beta, eps)`.
 *
 * Same as torchvision `torchvision.ops.FrozenBatchNorm2d` (the standard for fine-tuning detection
 * backbones with small batches), on NHWC. Variables have `BatchNorm`'s names and defaults:
 * `${name}/gamma` (ones), `${name}/beta` (zeros), `${name}/moving_mean` (zeros),
 * `${name}/moving_variance` (ones), so a `BatchNorm` checkpoint loads with `setState`; or convert a
 * trained layer with {@link freezeBatchNorm}.
 * Reference: torchvision, https://pytorch.org/vision/0.14/generated/torchvision.ops.FrozenBatchNorm2d.html;
 * Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167
 *
 * ```ts
 * const fbn = new FrozenBatchNorm({channels: 16, name: 'backbone/bn1'});
 * const y = fbn.apply(tf.randomNormal([2, 8, 8, 16]), {training: true}); // = inference
 * ```
 * @param opts see {@link FrozenBatchNormOptions}
 */
export class FrozenBatchNorm extends NormLayer {
  readonly eps: number;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;

  constructor(opts: FrozenBatchNormOptions) {
    super('FrozenBatchNorm', 'batch_norm', opts?.channels, opts?.name);
    this.eps = opts.eps ?? 1e-5;
    checkPositive('FrozenBatchNorm', 'eps', this.eps);
    this.gamma = this.addVariable('gamma', 1, false);
    this.beta = this.addVariable('beta', 0, false);
    this.movingMean = this.addVariable('moving_mean', 0, false);
    this.movingVariance = this.addVariable('moving_variance', 1, false);
  }

  /**
   * y = x · scale + shift (the mode changes nothing).
   * @param x `[N, C]` or NHWC `[N, H, W, C]`, C = `channels` @param opts `{training}` (no effect)
   */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    this.checkApply(x, opts, 2);
    return batchNormInference(x, this.movingMean, this.movingVariance, this.gamma, this.beta, this.eps);
  }
}

/** Options of {@link freezeBatchNorm}. */
export interface FreezeBatchNormOptions {
  /** name of the frozen layer (default: the BatchNorm's own name, so its variable names are kept) */
  name?: string;
  /** keep the BatchNorm alive (default false: it is disposed, which frees its names) */
  keepSource?: boolean;
}

/**
 * Converts a trained `BatchNorm` into a {@link FrozenBatchNorm} with its current gamma, beta,
 * moving statistics and eps (gamma = 1, beta = 0 where it has `affine: false`), as torchvision's
 * `FrozenBatchNorm2d` is loaded from a `BatchNorm2d` state dict. The output equals the BatchNorm's
 * inference output. By default the frozen layer takes over the BatchNorm's name (and so its
 * variable names, keeping checkpoints compatible) and the BatchNorm is disposed; with
 * `keepSource: true` give another `name`.
 *
 * ```ts
 * const bn = new BatchNorm({channels: 4, name: 'stem/bn'});
 * const frozen = freezeBatchNorm(bn); // bn is disposed; frozen.variables: stem/bn/gamma, ...
 * ```
 * @param bn a BatchNorm with running statistics (`trackRunningStats` true), not disposed
 * @param options `name`, `keepSource`
 * @returns the new layer (the caller disposes it)
 */
export function freezeBatchNorm(bn: BatchNorm, options: FreezeBatchNormOptions = {}): FrozenBatchNorm {
  const fn = 'freezeBatchNorm';
  if (bn === null || typeof bn !== 'object' || !Array.isArray((bn as BatchNorm).variables) || !('trackRunningStats' in bn)) {
    throw new Error(`${fn}: bn must be a BatchNorm, got ${show(bn)}`);
  }
  if (bn.movingMean === null || bn.movingVariance === null) {
    throw new Error(`${fn}: bn must have running statistics to freeze, got BatchNorm '${bn.name}' with trackRunningStats: false`);
  }
  if (bn.variables.some((v) => v.isDisposed)) throw new Error(`${fn}: bn must be a live BatchNorm, got BatchNorm '${bn.name}' disposed`);
  if (options === null || typeof options !== 'object') throw new Error(`${fn}: options must be an object, got ${show(options)}`);
  const keep = options.keepSource ?? false;
  if (typeof keep !== 'boolean') throw new Error(`${fn}: keepSource must be true or false, got ${show(keep)}`);
  const name = options.name ?? bn.name;
  if (keep && name === bn.name) {
    throw new Error(`${fn}: name must differ from the source's with keepSource: true, got ${show(name)}`);
  }
  const src = bn.name;
  const values: tf.NamedTensorMap = tf.tidy(() => ({
    gamma: bn.gamma !== null ? tf.clone(bn.gamma) : tf.ones([bn.channels]),
    beta: bn.beta !== null ? tf.clone(bn.beta) : tf.zeros([bn.channels]),
    moving_mean: tf.clone(bn.movingMean!),
    moving_variance: tf.clone(bn.movingVariance!),
  }));
  if (!keep) bn.dispose();
  try {
    const frozen = new FrozenBatchNorm({channels: bn.channels, eps: bn.eps, name});
    frozen.setState(Object.fromEntries(Object.entries(values).map(([k, t]) => [`${name}/${k}`, t])));
    return frozen;
  } catch (e) {
    throw new Error(`${fn}: could not freeze '${src}': ${(e as Error).message}`);
  } finally {
    tf.dispose(values);
  }
}
