import * as tf from '@tensorflow/tfjs-core';
import {checkMoreThanOne, checkOptionalBool, checkPositive, checkUnit, valuesPerChannel, show} from './validate';
import {batchNormInference} from './batch_norm_inference';
import {batchNormMovingUpdate} from './batch_norm_moving_update';
import {batchNormTrain} from './batch_norm_train';
import {ApplyOptions, NormLayer} from './norm_layer';

/** Which framework's moving-average conventions a `BatchNorm` follows. */
export type BatchNormConvention = 'pytorch' | 'keras';

/**
 * Options of {@link BatchNorm}. The names follow PyTorch `nn.BatchNorm1d/2d`
 * (https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html).
 */
export interface BatchNormOptions {
  /** size of the channel (last) axis (PyTorch `num_features`) */
  channels: number;
  /**
   * 'pytorch' (default): moving = (1 - momentum) * moving + momentum * batch, the moving variance
   * takes the UNBIASED batch variance (n / (n - 1)), momentum 0.1, eps 1e-5.
   * 'keras' (Keras / TF.js layers): moving = momentum * moving + (1 - momentum) * batch, biased
   * batch variance, momentum 0.99, eps 1e-3.
   */
  convention?: BatchNormConvention;
  /**
   * A number in [0, 1], meaning set by `convention` (default 0.1 pytorch, 0.99 keras), or `null`
   * (pytorch convention only) for PyTorch's `momentum=None`, the cumulative moving average: on the
   * n-th training call moving = (1 - 1/n) * moving + (1/n) * batch, so the moving statistics are
   * the plain average of all batch statistics so far (the variance's the unbiased one). The count
   * n lives on device in the variable `${name}/num_batches_tracked`.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
   */
  momentum?: number | null;
  /** added to the variance inside the square root (default 1e-5 pytorch, 1e-3 keras) */
  eps?: number;
  /**
   * true (default): learnable per-channel gamma (ones) and beta (zeros),
   * y = (x - mean) / sqrt(var + eps) * gamma + beta. false: no gamma / beta variables,
   * y = (x - mean) / sqrt(var + eps). PyTorch `affine`; Keras `scale` and `center` together.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
   */
  affine?: boolean;
  /**
   * true (default): keep moving_mean / moving_variance, updated in training, used in inference.
   * false: no moving variables; batch statistics normalise in BOTH modes,
   * y = (x - mean_B) / sqrt(var_B + eps) (* gamma + beta), so inference also needs more than one
   * value per channel. PyTorch `track_running_stats=False`.
   * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
   */
  trackRunningStats?: boolean;
  /** variable prefix (default `batch_norm`, `batch_norm_1`, ...) */
  name?: string;
}

/**
 * Batch normalisation layer, channels last (`[N, C]`, NHWC `[N, H, W, C]`):
 * training: y = (x - mean_B) / sqrt(var_B + eps) * gamma + beta (biased var_B), then the moving
 * statistics move toward the batch's; inference: the moving statistics normalise.
 *
 * Same as PyTorch `nn.BatchNorm1d/2d` (default convention, with `momentum: null`, `affine` and
 * `trackRunningStats` as there), or Keras / TF.js layers `BatchNormalization` with
 * `convention: 'keras'`.
 * Reference: Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167;
 * PyTorch: https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
 *
 * Variables: `${name}/gamma` (ones), `${name}/beta` (zeros) unless `affine: false`;
 * `${name}/moving_mean` (zeros), `${name}/moving_variance` (ones) unless
 * `trackRunningStats: false`; with `momentum: null` also `${name}/num_batches_tracked`, a float32
 * scalar (0): PyTorch's int64 counter, kept on device so no step reads it back, exact up to 2^24
 * batches (it then stays at 2^24, where 1/n is negligible anyway). PyTorch counts in every mode;
 * only the cumulative average uses the count, so only that mode has it, and the default variables
 * (and checkpoints) stay as they were. All but gamma and beta are not trainable. A training-mode
 * `apply` inside `tf.variableGrads` updates them exactly once, off the gradient path.
 *
 * ```ts
 * const bn = new BatchNorm({channels: 16, name: 'block1/bn'});
 * const {grads} = tf.variableGrads(() => tf.mean(tf.square(bn.apply(x, {training: true}))));
 * const y = bn.apply(x, {training: false});
 * ```
 * @param opts see {@link BatchNormOptions}
 */
export class BatchNorm extends NormLayer {
  readonly convention: BatchNormConvention;
  /** the weight rule's number, or null for the cumulative moving average (PyTorch momentum=None) */
  readonly momentum: number | null;
  readonly eps: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** null when `affine` is false */
  readonly gamma: tf.Variable | null;
  /** null when `affine` is false */
  readonly beta: tf.Variable | null;
  /** null when `trackRunningStats` is false */
  readonly movingMean: tf.Variable | null;
  /** null when `trackRunningStats` is false */
  readonly movingVariance: tf.Variable | null;
  /** training calls so far (float32 scalar); only with `momentum: null` and running stats, else null */
  readonly numBatchesTracked: tf.Variable | null;

  /**
   * @param opts see {@link BatchNormOptions}
   * @param kind the class name its errors start with (internal: `BatchRenorm` passes its own)
   */
  constructor(opts: BatchNormOptions, kind = 'BatchNorm') {
    super(kind, 'batch_norm', opts?.channels, opts?.name);
    if (opts === null || typeof opts !== 'object') throw new Error(`${kind}: opts must be an object, got ${show(opts)}`);
    const convention = opts.convention ?? 'pytorch';
    if (convention !== 'pytorch' && convention !== 'keras') {
      throw new Error(`${kind}: convention must be 'pytorch' or 'keras', got ${show(convention)}`);
    }
    const keras = convention === 'keras';
    if (opts.momentum === null && keras) {
      throw new Error(
        `${kind}: momentum must not be null (PyTorch's cumulative moving average) with convention 'keras', got null`,
      );
    }
    this.convention = convention;
    this.momentum = opts.momentum === undefined ? (keras ? 0.99 : 0.1) : opts.momentum;
    this.eps = opts.eps ?? (keras ? 1e-3 : 1e-5);
    if (this.momentum !== null) checkUnit(kind, 'momentum', this.momentum);
    checkPositive(kind, 'eps', this.eps);
    checkOptionalBool(kind, 'affine', opts.affine);
    checkOptionalBool(kind, 'trackRunningStats', opts.trackRunningStats);
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.gamma = this.affine ? this.addVariable('gamma', 1, true) : null;
    this.beta = this.affine ? this.addVariable('beta', 0, true) : null;
    const track = this.trackRunningStats;
    this.movingMean = track ? this.addVariable('moving_mean', 0, false) : null;
    this.movingVariance = track ? this.addVariable('moving_variance', 1, false) : null;
    const cumulative = track && this.momentum === null;
    this.numBatchesTracked = cumulative ? this.addVariable('num_batches_tracked', 0, false, []) : null;
  }

  /**
   * Weight of the new batch statistic in the moving average (PyTorch's momentum); null with
   * `momentum: null`, where it is 1 / num_batches_tracked, computed on device.
   */
  get batchWeight(): number | null {
    if (this.momentum === null) return null;
    return this.convention === 'keras' ? 1 - this.momentum : this.momentum;
  }

  /**
   * Normalises `x`; in training mode also updates the moving statistics (once per call).
   * @param x `[N, C]` or NHWC `[N, H, W, C]`, C = `channels`; training (and inference without
   *   running stats) needs > 1 value per channel
   * @param opts `{training}`
   */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    const training = this.checkApply(x, opts, 2);
    if (this.movingMean === null || this.movingVariance === null) {
      // no running statistics: batch statistics in both modes, nothing to update (PyTorch)
      checkMoreThanOne(this.label, x, true);
      return tf.tidy(() => batchNormTrain(x, this.gamma, this.beta, this.eps).y);
    }
    if (!training) {
      return batchNormInference(x, this.movingMean, this.movingVariance, this.gamma, this.beta, this.eps);
    }
    checkMoreThanOne(this.label, x);
    return tf.tidy(() => {
      const {y, mean, variance} = batchNormTrain(x, this.gamma, this.beta, this.eps);
      this.updateMoving(mean, variance, valuesPerChannel(x));
      return y;
    });
  }

  /**
   * moving <- (1 - w) * moving + w * batch, w = `batchWeight`, or with `momentum: null`
   * w = 1 / (num_batches_tracked + 1) as a tensor (the count is incremented too). Nothing
   * downstream of these ops reaches the loss, so the gradient tape prunes them: no gradient flows
   * into the statistics. Call inside a tidy; a no-op without running statistics.
   */
  protected updateMoving(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const [mm, mv] = [this.movingMean, this.movingVariance];
    if (mm === null || mv === null) return;
    let w: number | tf.Tensor;
    if (this.numBatchesTracked !== null) {
      const count = tf.add(this.numBatchesTracked, 1);
      w = tf.div(1, count); // 1 at the first call: the initial 0 / 1 are fully replaced
      this.numBatchesTracked.assign(count);
    } else {
      w = this.batchWeight as number;
    }
    const next = batchNormMovingUpdate(mm, mv, mean, variance, n, w, this.convention === 'pytorch');
    mm.assign(next.movingMean);
    mv.assign(next.movingVariance);
  }
}
