import * as tf from '@tensorflow/tfjs-core';
import {checkMoreThanOne, checkPositive, checkUnit, valuesPerChannel} from './check';
import {batchNormInference} from './batch_norm_inference';
import {batchNormTrain} from './batch_norm_train';
import {ApplyOptions, NormLayer} from './norm_layer';

/** Which framework's moving-average conventions a `BatchNorm` follows. */
export type BatchNormConvention = 'pytorch' | 'keras';

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  /** size of the channel (last) axis */
  channels: number;
  /**
   * 'pytorch' (default): moving = (1 - momentum) * moving + momentum * batch, the moving variance
   * takes the UNBIASED batch variance (n / (n - 1)), momentum 0.1, eps 1e-5.
   * 'keras' (Keras / TF.js layers): moving = momentum * moving + (1 - momentum) * batch, biased
   * batch variance, momentum 0.99, eps 1e-3.
   */
  convention?: BatchNormConvention;
  /** in [0, 1], meaning set by `convention` (default 0.1 pytorch, 0.99 keras) */
  momentum?: number;
  /** added to the variance inside the square root (default 1e-5 pytorch, 1e-3 keras) */
  eps?: number;
  /** variable prefix (default `batch_norm`, `batch_norm_1`, ...) */
  name?: string;
}

/**
 * Batch normalisation layer, channels last (`[N, C]`, NHWC `[N, H, W, C]`):
 * training: y = (x - mean_B) / sqrt(var_B + eps) * gamma + beta (biased var_B), then the moving
 * statistics move toward the batch's; inference: the moving statistics normalise.
 *
 * Same as PyTorch `nn.BatchNorm1d/2d` (default convention), or Keras / TF.js layers
 * `BatchNormalization` with `convention: 'keras'`.
 * Reference: Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167
 *
 * Variables: `${name}/gamma` (ones), `${name}/beta` (zeros), `${name}/moving_mean` (zeros),
 * `${name}/moving_variance` (ones); the last two are not trainable. A training-mode `apply`
 * inside `tf.variableGrads` updates them exactly once, and the update is not on the gradient path.
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
  readonly momentum: number;
  readonly eps: number;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;

  constructor(opts: BatchNormOptions) {
    super('BatchNorm', 'batch_norm', opts?.channels, opts?.name);
    const convention = opts.convention ?? 'pytorch';
    if (convention !== 'pytorch' && convention !== 'keras') {
      throw new Error(`BatchNorm: convention must be 'pytorch' or 'keras', got ${JSON.stringify(convention)}`);
    }
    const keras = convention === 'keras';
    this.convention = convention;
    this.momentum = opts.momentum ?? (keras ? 0.99 : 0.1);
    this.eps = opts.eps ?? (keras ? 1e-3 : 1e-5);
    checkUnit('BatchNorm', 'momentum', this.momentum);
    checkPositive('BatchNorm', 'eps', this.eps);
    this.gamma = this.addVariable('gamma', 1, true);
    this.beta = this.addVariable('beta', 0, true);
    this.movingMean = this.addVariable('moving_mean', 0, false);
    this.movingVariance = this.addVariable('moving_variance', 1, false);
  }

  /** Weight of the new batch statistic in the moving average (PyTorch's momentum). */
  get batchWeight(): number {
    return this.convention === 'keras' ? 1 - this.momentum : this.momentum;
  }

  /**
   * Normalises `x`; in training mode also updates the moving statistics (once per call).
   * @param x `[N, C]` or NHWC `[N, H, W, C]`, C = `channels`; training needs > 1 value per channel
   * @param opts `{training}`
   */
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    const training = this.checkApply(x, opts, 2);
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
   * moving <- (1 - w) * moving + w * batch, w = `batchWeight`. Nothing downstream of these ops
   * reaches the loss, so the gradient tape prunes them: no gradient flows into the statistics.
   */
  protected updateMoving(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const w = this.batchWeight;
    // PyTorch feeds the running variance the unbiased estimate; Keras the biased one
    const batchVar = this.convention === 'pytorch' ? tf.mul(variance, n / (n - 1)) : variance;
    this.movingMean.assign(tf.add(tf.mul(this.movingMean, 1 - w), tf.mul(mean, w)));
    this.movingVariance.assign(tf.add(tf.mul(this.movingVariance, 1 - w), tf.mul(batchVar, w)));
  }
}
