import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueConstraint} from './technique_constraint';

/** Options of {@link minMaxNorm} (Keras names). */
export interface MinMaxNormArgs {
  /** smallest allowed unit norm, >= 0, default 0 */
  minValue?: number;
  /** largest allowed unit norm, >= minValue, default 1 */
  maxValue?: number;
  /** how far to move toward the interval per call, in [0, 1], default 1 (strict) */
  rate?: number;
  /** axes the norm is taken over, default all but the last */
  axis?: number | number[];
}

/**
 * Min-max-norm constraint for tf.layers: `desired = rate · clip(‖w‖, minValue, maxValue) +
 * (1 − rate) · ‖w‖`, `w ← w · desired / (1e-7 + ‖w‖)`, per unit. From `@stable-train/regularizers`
 * `minMaxNorm` (whose `min`/`max` are Keras' `minValue`/`maxValue`).
 *
 * Same formula and epsilon as Keras `constraints.MinMaxNorm` / tfjs `tf.constraints.minMaxNorm`.
 * Enforced during `model.fit` only with `enforceConstraints()`.
 */
export class StableTrainMinMaxNorm extends TechniqueConstraint<MinMaxNormArgs> {
  static className = 'StableTrainMinMaxNorm';
  constructor(args?: MinMaxNormArgs) {
    super('minMaxNorm', args, ['minValue', 'maxValue', 'rate', 'axis'], (o) =>
      st.minMaxNorm({min: o.minValue, max: o.maxValue, rate: o.rate, axis: o.axis}),
    );
  }
}
tf.serialization.registerClass(StableTrainMinMaxNorm);

/**
 * `kernelConstraint: minMaxNorm({minValue: 0.5, maxValue: 2, rate: 0.1})`.
 * @param args see {@link MinMaxNormArgs}
 */
export function minMaxNorm(args?: MinMaxNormArgs): StableTrainMinMaxNorm {
  return new StableTrainMinMaxNorm(args);
}
