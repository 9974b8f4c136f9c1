import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {Constraint as TflConstraint} from '@tensorflow/tfjs-layers/dist/constraints';
import type {Constraint as TechniqueCon} from '@stable-train/regularizers';
import {checkArgs, fromPythonic} from '../serializable_args';

/** tfjs-layers' abstract `Constraint` class, reached through its own `NonNeg` (not exported at run time). */
const LayersConstraint = Object.getPrototypeOf(tfl.constraints.nonNeg().constructor) as typeof TflConstraint;

/**
 * Base of every `@stable-train/layers` constraint: a tfjs-layers `Constraint` whose `apply(w)` is
 * the functional form (`constrain`) of the `@stable-train/regularizers` constraint built by
 * `make(args)`. Options are checked in the constructor.
 *
 * tfjs-layers 4.22 does NOT apply constraints during `model.fit` (tensorflow/tfjs#3345, #3979):
 * add `enforceConstraints()` to the callbacks, or call `applyConstraints(model)` after your own
 * updates.
 * @internal
 */
export abstract class TechniqueConstraint<A extends object> extends LayersConstraint {
  protected readonly args: A;
  private readonly constraint: TechniqueCon;

  protected constructor(fn: string, args: A | undefined, keys: readonly string[], make: (args: A) => TechniqueCon) {
    super();
    this.args = checkArgs(fn, args, keys) as A;
    this.constraint = make(this.args);
  }

  /** The constrained weight (a new tensor; `w` is unchanged). */
  apply(w: tf.Tensor): tf.Tensor {
    return this.constraint.constrain(w);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {...this.args} as tf.serialization.ConfigDict;
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(fromPythonic(config));
  }
}
