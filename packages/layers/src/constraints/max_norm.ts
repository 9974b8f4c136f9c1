import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueConstraint} from './technique_constraint';

/** Options of {@link maxNorm} (Keras names). */
export interface MaxNormArgs {
  /** largest allowed norm of a unit, > 0, default 2 (Keras) */
  maxValue?: number;
  /** axes the norm is taken over, default all but the last (per output unit: `[in, out]` → axis 0) */
  axis?: number | number[];
}

/**
 * Max-norm constraint for tf.layers: `w ← w · clip(‖w‖, 0, maxValue) / (1e-7 + ‖w‖)`, norms per unit
 * over `axis`. From `@stable-train/regularizers` `maxNorm`.
 *
 * Same formula and epsilon as Keras `constraints.MaxNorm` / tfjs `tf.constraints.maxNorm`; the
 * default axis is every axis but the last (Keras' `axis=0` for dense kernels, `[0, 1, 2]` for conv).
 * Enforced during `model.fit` only with `enforceConstraints()` (tfjs-layers 4.22 never applies it).
 * Reference: Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html
 */
export class StableTrainMaxNorm extends TechniqueConstraint<MaxNormArgs> {
  static className = 'StableTrainMaxNorm';
  constructor(args?: MaxNormArgs) {
    super('maxNorm', args, ['maxValue', 'axis'], (o) => st.maxNorm(o));
  }
}
tf.serialization.registerClass(StableTrainMaxNorm);

/**
 * `kernelConstraint: maxNorm({maxValue: 3})`.
 * @param args see {@link MaxNormArgs}
 */
export function maxNorm(args?: MaxNormArgs): StableTrainMaxNorm {
  return new StableTrainMaxNorm(args);
}
