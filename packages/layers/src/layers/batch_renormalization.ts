import * as tf from '@tensorflow/tfjs-core';
import {BatchNormalizationArgs, StableTrainBatchNormalization} from './batch_normalization';
import {checkArgs, show} from './checks';
import type {BatchNormSettings} from './norm_call';

/** Options of {@link batchRenormalization}: those of `batchNormalization` plus the clipping limits. */
export interface BatchRenormalizationArgs extends BatchNormalizationArgs {
  /** r is clipped to [1/rMax, rMax]; a number >= 1 (default 3, the paper's final value; 1 = plain BN) */
  rMax?: number;
  /** d is clipped to [-dMax, dMax]; a number >= 0 (default 5, the paper's final value; 0 = plain BN) */
  dMax?: number;
}

/**
 * Batch renormalisation layer computed by `@stable-train/batchnorm`'s `batchRenormTrain`: in
 * training y = ((x - mean_B) / sigma_B * r + d) * gamma + beta with
 * r = clip(sigma_B / sigma, 1/rMax, rMax), d = clip((mean_B - movingMean) / sigma, -dMax, dMax)
 * (stop-gradient; sigma from the moving variance), then the moving statistics update as in
 * `batchNormalization`; inference is plain batch norm with the moving statistics.
 * Keras `BatchNormalization(renorm=True)` keeps separate renorm averages; this uses the layer's own.
 * The limits are numbers here (the technique module also takes schedules of the step).
 * Reference: Ioffe 2017, https://arxiv.org/abs/1702.03275
 */
export class StableTrainBatchRenormalization extends StableTrainBatchNormalization {
  /** @nocollapse */
  static override className = 'StableTrainBatchRenormalization';
  readonly rMax: number;
  readonly dMax: number;

  constructor(args: BatchRenormalizationArgs = {}) {
    const where = 'batchRenormalization';
    checkArgs(where, args);
    const rMax = args?.rMax ?? 3;
    const dMax = args?.dMax ?? 5;
    if (typeof rMax !== 'number' || !Number.isFinite(rMax) || rMax < 1) {
      throw new Error(`${where}: rMax must be a finite number >= 1, got ${show(args?.rMax)}`);
    }
    if (typeof dMax !== 'number' || !Number.isFinite(dMax) || dMax < 0) {
      throw new Error(`${where}: dMax must be a finite number >= 0, got ${show(args?.dMax)}`);
    }
    super(args, where);
    this.rMax = rMax;
    this.dMax = dMax;
  }

  protected override settings(): BatchNormSettings {
    return {...super.settings(), renorm: {rMax: this.rMax, dMax: this.dMax}};
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {rMax: this.rMax, dMax: this.dMax, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainBatchRenormalization);

/**
 * Batch renormalisation for tf.layers models (see {@link StableTrainBatchRenormalization}).
 *
 * ```ts
 * const brn = layers.batchRenormalization({rMax: 3, dMax: 5});
 * ```
 * @param args see {@link BatchRenormalizationArgs}
 */
export function batchRenormalization(args?: BatchRenormalizationArgs): StableTrainBatchRenormalization {
  return new StableTrainBatchRenormalization(args);
}
