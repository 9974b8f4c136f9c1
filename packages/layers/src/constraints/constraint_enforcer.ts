import * as tfl from '@tensorflow/tfjs-layers';
import {applyConstraints} from './apply_constraints';
import {show} from '../serializable_args';

/**
 * A `model.fit` callback that applies every weight constraint of the model after each batch,
 * i.e. right after the optimizer's update, as Keras does: the fix for tfjs-layers 4.22 ignoring
 * `kernelConstraint` / `biasConstraint` / ... during `fit` (tensorflow/tfjs#3345, #3979). Works
 * for ours and tfjs's own `tf.constraints.*`. Also applied once at the start of training, so the
 * initial weights satisfy them too. Tidy: no tensor outlives a call.
 *
 * ```ts
 * await model.fit(x, y, {epochs: 5, callbacks: [enforceConstraints()]});
 * ```
 */
export class ConstraintEnforcer extends tfl.Callback {
  override async onTrainBegin(): Promise<void> {
    this.enforce();
  }

  override async onBatchEnd(): Promise<void> {
    this.enforce();
  }

  private enforce(): void {
    if (!(this.model instanceof tfl.LayersModel)) {
      throw new Error(`ConstraintEnforcer: no model set (use it in model.fit's callbacks), got ${show(this.model)}`);
    }
    applyConstraints(this.model);
  }
}

/** `model.fit(x, y, {callbacks: [enforceConstraints()]})`: see {@link ConstraintEnforcer}. */
export function enforceConstraints(): ConstraintEnforcer {
  return new ConstraintEnforcer();
}
