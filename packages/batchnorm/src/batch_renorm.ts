import * as tf from '@tensorflow/tfjs-core';
import {checkMoreThanOne, valuesPerChannel, show} from './validate';
import {BatchNorm, BatchNormOptions} from './batch_norm';
import {batchRenormTrain} from './batch_renorm_train';
import {ApplyOptions, uniqueName} from './norm_layer';

/** A constant or a schedule of the training step (the number of training-mode calls so far). */
export type RenormLimit = number | ((step: number) => number);

/**
 * Options of {@link BatchRenorm}: those of `BatchNorm` (`momentum: null` and `affine: false`
 * work as there; `trackRunningStats` must stay true) plus the clipping limits.
 */
export interface BatchRenormOptions extends BatchNormOptions {
  /** r is clipped to [1/rMax, rMax]; >= 1 (default 3, the paper's final value; 1 = plain BN) */
  rMax?: RenormLimit;
  /** d is clipped to [-dMax, dMax]; >= 0 (default 5, the paper's final value; 0 = plain BN) */
  dMax?: RenormLimit;
}

/**
 * Batch renormalisation: batch norm whose training output is corrected toward the moving
 * statistics, so training and inference agree even for small or non-i.i.d. batches:
 * r = clip(sigma_B / sigma, 1/rMax, rMax), d = clip((mean_B - mean) / sigma, -dMax, dMax),
 * y = ((x - mean_B) / sigma_B * r + d) * gamma + beta, with sigma_B = sqrt(var_B + eps),
 * sigma = sqrt(movingVariance + eps); r and d are stop-gradient (constants for backprop).
 * Inference is plain batch norm with the moving statistics. The moving statistics update as in
 * `BatchNorm` (same `convention`, momentum and unbiased-variance rule, `momentum: null` for the
 * cumulative average). `affine: false` drops gamma and beta: y = (x - mean_B) / sigma_B * r + d.
 * `trackRunningStats: false` is refused: r and d need the moving statistics.
 *
 * Same idea as Keras `BatchNormalization(renorm=True, renorm_clipping={rmax, dmax})` (Keras
 * keeps separate renorm moving averages; here r, d use the layer's own moving statistics).
 * Reference: Ioffe 2017, https://arxiv.org/abs/1702.03275 (rMax 1 -> 3, dMax 0 -> 5 over
 * training; start as plain BN for a few thousand steps, e.g. with a schedule).
 *
 * ```ts
 * const bn = new BatchRenorm({channels: 32, name: 'b1/bn',
 *   rMax: (s) => 1 + 2 * Math.min(1, Math.max(0, (s - 5000) / 35000)),
 *   dMax: (s) => 5 * Math.min(1, Math.max(0, (s - 5000) / 20000))});
 * const y = bn.apply(x, {training: true});
 * ```
 * @param opts see {@link BatchRenormOptions}
 */
export class BatchRenorm extends BatchNorm {
  readonly rMax: RenormLimit;
  readonly dMax: RenormLimit;
  /** training-mode calls so far: the argument the rMax / dMax schedules get */
  step = 0;

  constructor(opts: BatchRenormOptions) {
    const rMax = opts?.rMax ?? 3;
    const dMax = opts?.dMax ?? 5;
    checkLimit('rMax', rMax, 1, 0);
    checkLimit('dMax', dMax, 0, 0);
    if (opts?.trackRunningStats !== undefined && opts.trackRunningStats !== true) {
      throw new Error(
        'BatchRenorm: trackRunningStats must be true (r and d correct toward the moving statistics), ' +
          `got ${show(opts.trackRunningStats)}`,
      );
    }
    if (opts === null || typeof opts !== 'object') throw new Error(`BatchRenorm: opts must be an object, got ${show(opts)}`);
    super({...opts, name: opts?.name ?? uniqueName('batch_renorm')}, 'BatchRenorm');
    this.kind = 'BatchRenorm';
    this.rMax = rMax;
    this.dMax = dMax;
  }

  /**
   * Training: renormalised output, moving statistics updated once, `step` incremented.
   * Inference: `BatchNorm` inference.
   * @param x `[N, C]` or NHWC `[N, H, W, C]`, C = `channels`; training needs > 1 value per channel
   * @param opts `{training}`
   */
  override apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor {
    const training = this.checkApply(x, opts, 2);
    if (!training) return super.apply(x, opts);
    checkMoreThanOne(this.label, x);
    const rMax = checkLimit('rMax', this.rMax, 1, this.step);
    const dMax = checkLimit('dMax', this.dMax, 0, this.step);
    // the constructor refuses trackRunningStats: false, so both moving statistics exist
    const [movingMean, movingVariance] = [this.movingMean as tf.Variable, this.movingVariance as tf.Variable];
    const [gamma, beta] = [this.gamma, this.beta];
    const y = tf.tidy(() => {
      const r = batchRenormTrain(x, gamma, beta, movingMean, movingVariance, rMax, dMax, this.eps);
      this.updateMoving(r.mean, r.variance, valuesPerChannel(x));
      return r.y;
    });
    this.step += 1;
    return y;
  }

  /** Variables' copies plus `${name}/step` (an int32 scalar) for checkpoints. */
  override getState(): tf.NamedTensorMap {
    return {...super.getState(), [`${this.name}/step`]: tf.scalar(this.step, 'int32')};
  }

  /** Restores `getState`'s output; reads the step back to the host (not a hot path). */
  override setState(state: tf.NamedTensorMap): void {
    const s = state?.[`${this.name}/step`];
    super.setState(state);
    if (s instanceof tf.Tensor) this.step = s.dataSync()[0];
  }
}

/** Validates a limit (a constant, or a schedule's value at `step`) and returns its value. */
function checkLimit(arg: string, limit: unknown, min: number, step: number): number {
  const v = typeof limit === 'function' ? (limit as (s: number) => unknown)(step) : limit;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min) {
    const what = typeof limit === 'function' ? `${arg}(${step})` : arg;
    throw new Error(`BatchRenorm: ${what} must be a number >= ${min}, got ${show(v)}`);
  }
  return v;
}
