import * as tf from '@tensorflow/tfjs-core';
import {batchNormInference} from './batch_norm_inference';
import {checkChannelVector, checkInput, checkOptionalBool, checkPositive, checkUnit} from './validate';
import {moments} from './moments';
import {ApplyOptions, NormLayer} from './norm_layer';

/** Throws unless x (channels last, rank >= 3) has more than one spatial value per (sample, channel). */
function checkSpatial(fn: string, x: tf.Tensor): number {
  const s = x.shape.slice(1, -1).reduce((a, b) => a * b, 1);
  if (s <= 1) {
    throw new Error(
      `${fn}: Expected more than 1 spatial element when using instance statistics, got input of shape [${x.shape}]`,
    );
  }
  return s;
}

/** Instance statistics and the normalised x (internal, no checks): stats are [N, 1.., C]. */
function instanceStats(x: tf.Tensor): {xHat: (eps: number) => tf.Tensor; mean: tf.Tensor; variance: tf.Tensor} {
  const axes = Array.from({length: x.rank - 2}, (_, i) => i + 1);
  const {mean, variance} = moments(x, axes, true);
  return {mean, variance, xHat: (eps) => tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)))};
}

/**
 * Instance normalisation, channels last: every (sample, channel) is normalised over its own
 * spatial positions, y = (x - mean_{n,c}) / sqrt(var_{n,c} + eps) * gamma + beta (biased
 * variance); `gamma` / `beta` may be `null` (no scale / no shift). Batch-independent.
 *
 * Same as PyTorch `F.instance_norm` with `use_input_stats=True` / `nn.InstanceNorm1d/2d/3d`
 * (on NCHW; here `[N, L, C]`, NHWC `[N, H, W, C]`, `[N, D, H, W, C]`), and `groupNorm` with
 * groups = C. Reference: Ulyanov, Vedaldi & Lempitsky 2016, https://arxiv.org/abs/1607.08022;
 * PyTorch: https://pytorch.org/docs/1.13/generated/torch.nn.InstanceNorm2d.html
 *
 * ```ts
 * const y = instanceNorm(tf.randomNormal([2, 8, 8, 3]), null, null, 1e-5);
 * ```
 * @param x input `[N, ...spatial, C]`, rank >= 3, more than one spatial position
 * @param gamma per-channel scale, shape `[C]`, or `null` for none (= ones)
 * @param beta per-channel shift, shape `[C]`, or `null` for none (= zeros)
 * @param eps added to the variance inside the square root, finite and > 0 (PyTorch default 1e-5)
 */
export function instanceNorm(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null, eps = 1e-5): tf.Tensor {
  const fn = 'instanceNorm';
  const c = checkInput(fn, 'x', x, 3);
  if (gamma != null) checkChannelVector(fn, 'gamma', gamma, c);
  if (beta != null) checkChannelVector(fn, 'beta', beta, c);
  checkPositive(fn, 'eps', eps);
  checkSpatial(fn, x);
  return tf.tidy(() => affine(instanceStats(x).xHat(eps), gamma, beta));
}

function affine(xHat: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null): tf.Tensor {
  const scaled = gamma != null ? tf.mul(xHat, gamma) : xHat;
  return beta != null ? tf.add(scaled, beta) : scaled;
}

/**
 * Options of {@link InstanceNorm}: PyTorch `nn.InstanceNorm2d(num_features, eps, momentum, affine,
 * track_running_stats)` (https://pytorch.org/docs/1.13/generated/torch.nn.InstanceNorm2d.html),
 * with PyTorch's defaults.
 */
export interface InstanceNormOptions {
  /** size of the channel (last) axis (PyTorch `num_features`) */
  channels: number;
  /** learnable per-channel gamma (ones) and beta (zeros); default **false**, as PyTorch */
  affine?: boolean;
  /**
   * keep `moving_mean` / `moving_variance` (default **false**, as PyTorch). Training still normalises
   * with the instance statistics and moves the running ones toward their batch average
   * (the variance's unbiased, / (S - 1)); inference then normalises with the running statistics.
   */
  trackRunningStats?: boolean;
  /** weight of the new statistics in the running average, in [0, 1] (default 0.1, PyTorch's meaning) */
  momentum?: number;
  /** added to the variance inside the square root (default 1e-5) */
  eps?: number;
  /** variable prefix (default `instance_norm`, `instance_norm_1`, ...) */
  name?: string;
}

/**
 * Instance normalisation layer, channels last ({@link instanceNorm} with optional learned
 * per-channel `${name}/gamma` / `${name}/beta` and optional running statistics
 * `${name}/moving_mean` / `${name}/moving_variance`, the same names as `BatchNorm`).
 *
 * - training, or `trackRunningStats: false` in any mode: instance statistics,
 *   y = (x - mean_{n,c}) / sqrt(var_{n,c} + eps) (* gamma + beta);
 * - training with `trackRunningStats`: also moving = (1 - momentum) * moving + momentum * stat,
 *   stat = mean over n of mean_{n,c} and of the UNBIASED var_{n,c} (S / (S - 1), S = spatial size);
 * - inference with `trackRunningStats`: y = (x - moving_mean) / sqrt(moving_variance + eps) (* gamma + beta).
 *
 * Same as PyTorch `nn.InstanceNorm1d/2d/3d` (defaults `affine=False`, `track_running_stats=False`,
 * momentum 0.1, eps 1e-5), on NHWC instead of NCHW.
 * Reference: Ulyanov, Vedaldi & Lempitsky 2016, https://arxiv.org/abs/1607.08022;
 * PyTorch: https://pytorch.org/docs/1.13/generated/torch.nn.InstanceNorm2d.html
 *
 * ```ts
 * const inorm = new InstanceNorm({channels: 3, affine: true, name: 'style/in1'});
 * const y = inorm.apply(tf.randomNormal([2, 8, 8, 3]), {training: true});
 * ```
 * @param opts see {@link InstanceNormOptions}
 */
export class InstanceNorm extends NormLayer {
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly momentum: number;
  readonly eps: number;
  /** null when `affine` is false */
  readonly gamma: tf.Variable | null;
  /** null when `affine` is false */
  readonly beta: tf.Variable | null;
  /** null when `trackRunningStats` is false */
  readonly movingMean: tf.Variable | null;
  /** null when `trackRunningStats` is false */
  readonly movingVariance: tf.Variable | null;

  constructor(opts: InstanceNormOptions) {
    super('InstanceNorm', 'instance_norm', opts?.channels, opts?.name);
    checkOptionalBool('InstanceNorm', 'affine', opts.affine);
    checkOptionalBool('InstanceNorm', 'trackRunningStats', opts.trackRunningStats);
    this.momentum = opts.momentum ?? 0.1;
    checkUnit('InstanceNorm', 'momentum', this.momentum);
    this.eps = opts.eps ?? 1e-5;
    checkPositive('InstanceNorm', 'eps', this.eps);
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    this.gamma = this.affine ? this.addVariable('gamma', 1, true) : null;
    this.beta = this.affine ? this.addVariable('beta', 0, true) : null;
    this.movingMean = this.trackRunningStats ? this.addVariable('moving_mean', 0, false) : null;
    this.movingVariance = this.trackRunningStats ? this.addVariable('moving_variance', 1, false) : null;
  }

  /**
   * Normalises `x`; in training mode with running statistics also updates them (once per call).
   * @param x `[N, L, C]`, NHWC `[N, H, W, C]` or `[N, D, H, W, C]`, C = `channels`
   * @param opts `{training}`
   */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    const training = this.checkApply(x, opts, 3);
    const [mm, mv] = [this.movingMean, this.movingVariance];
    if (!training && mm !== null && mv !== null) {
      return batchNormInference(x, mm, mv, this.gamma, this.beta, this.eps);
    }
    const s = checkSpatial(this.label, x);
    return tf.tidy(() => {
      const {mean, variance, xHat} = instanceStats(x);
      if (training && mm !== null && mv !== null) {
        // off the gradient path: nothing downstream of the assigns reaches the loss
        const m = this.momentum;
        const meanN = tf.reshape(tf.mean(mean, 0), [this.channels]);
        const varN = tf.reshape(tf.mul(tf.mean(variance, 0), s / (s - 1)), [this.channels]);
        mm.assign(tf.add(tf.mul(mm, 1 - m), tf.mul(meanN, m)));
        mv.assign(tf.add(tf.mul(mv, 1 - m), tf.mul(varN, m)));
      }
      return affine(xHat(this.eps), this.gamma, this.beta);
    });
  }
}
