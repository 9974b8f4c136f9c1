import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueConstraint} from './technique_constraint';

/**
 * Unit-norm constraint for tf.layers: `w ← w / (1e-7 + ‖w‖)`, norms per unit over `axis` (default
 * all but the last). From `@stable-train/regularizers` `unitNorm`.
 *
 * Same formula and epsilon as Keras `constraints.UnitNorm` / tfjs `tf.constraints.unitNorm`.
 * Enforced during `model.fit` only with `enforceConstraints()`.
 */
export class StableTrainUnitNorm extends TechniqueConstraint<{axis?: number | number[]}> {
  static className = 'StableTrainUnitNorm';
  constructor(args?: {axis?: number | number[]}) {
    super('unitNorm', args, ['axis'], (o) => st.unitNorm(o));
  }
}
tf.serialization.registerClass(StableTrainUnitNorm);

/**
 * `kernelConstraint: unitNorm()`.
 * @param args `axis` the norm is taken over (default all but the last)
 */
export function unitNorm(args?: {axis?: number | number[]}): StableTrainUnitNorm {
  return new StableTrainUnitNorm(args);
}
