import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {show} from '../serializable_args';
import {TechniqueInitializer} from './technique_initializer';

/**
 * Constant for tf.layers: w = value (float32 or int32). Numbers from `@stable-train/initializers`
 * `constant`.
 *
 * Same as PyTorch `constant_(w, value)`, tfjs / Keras `Constant({value})`.
 */
export class StableTrainConstant extends TechniqueInitializer<{value: number}> {
  static className = 'StableTrainConstant';
  constructor(args: {value: number}) {
    super('constant', args, ['value'], (o) => {
      if (o.value === undefined) throw new Error(`constant: value must be a finite number, got ${show(args && args.value)}`);
      return st.constant(o.value);
    });
  }
}
tf.serialization.registerClass(StableTrainConstant);

/**
 * `biasInitializer: constant({value: 0.1})`.
 * @param args `value`, a finite number
 */
export function constant(args: {value: number}): StableTrainConstant {
  return new StableTrainConstant(args);
}
