import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {Regularizer as TflRegularizer} from '@tensorflow/tfjs-layers/dist/regularizers';
import type {Penalty} from '@stable-train/regularizers';
import {checkArgs, fromPythonic} from '../serializable_args';

/** tfjs-layers' abstract `Regularizer` class, reached through its own `L1L2` (not exported at run time). */
const LayersRegularizer = Object.getPrototypeOf(tfl.regularizers.l1l2().constructor) as typeof TflRegularizer;

/**
 * Base of every `@stable-train/layers` regularizer: a tfjs-layers `Regularizer` whose `apply(w)`
 * is the `@stable-train/regularizers` penalty built by `make(args)`, evaluated on the one weight
 * (a scalar tensor that tfjs-layers adds to the loss). Options are checked in the constructor.
 * @internal
 */
export abstract class TechniqueRegularizer<A extends object> extends LayersRegularizer {
  protected readonly args: A;
  private readonly penalty: Penalty;

  protected constructor(fn: string, args: A | undefined, keys: readonly string[], make: (args: A) => Penalty) {
    super();
    this.args = checkArgs(fn, args, keys) as A;
    this.penalty = make(this.args);
  }

  /** The penalty of one weight tensor, a scalar. */
  apply(x: tf.Tensor): tf.Scalar {
    return this.penalty({weight: x});
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
