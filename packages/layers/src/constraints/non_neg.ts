import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueConstraint} from './technique_constraint';

/**
 * Non-negativity constraint for tf.layers: `w ← max(w, 0)`. From `@stable-train/regularizers` `nonNeg`.
 *
 * Same as Keras `constraints.NonNeg` / tfjs `tf.constraints.nonNeg`. Enforced during `model.fit`
 * only with `enforceConstraints()`.
 */
export class StableTrainNonNeg extends TechniqueConstraint<Record<string, never>> {
  static className = 'StableTrainNonNeg';
  constructor(args?: Record<string, never>) {
    super('nonNeg', args, [], () => st.nonNeg());
  }
}
tf.serialization.registerClass(StableTrainNonNeg);

/** `kernelConstraint: nonNeg()`. */
export function nonNeg(args?: Record<string, never>): StableTrainNonNeg {
  return new StableTrainNonNeg(args);
}
