import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueRegularizer} from './technique_regularizer';

/**
 * L1 penalty for tf.layers: `l1 · Σ|w|` (gradient `l1 · sign(w)`, 0 at w = 0), from
 * `@stable-train/regularizers` `l1`.
 *
 * Same as Keras `regularizers.L1(l1)` and tfjs `tf.regularizers.l1({l1})` (default 0.01).
 */
export class StableTrainL1 extends TechniqueRegularizer<{l1?: number}> {
  static className = 'StableTrainL1';
  constructor(args?: {l1?: number}) {
    super('l1', args, ['l1'], (o) => st.l1(o.l1 ?? 0.01));
  }
}
tf.serialization.registerClass(StableTrainL1);

/**
 * `kernelRegularizer: l1({l1: 1e-5})`.
 * @param args `l1`: the factor, finite and >= 0, default 0.01 (Keras)
 */
export function l1(args?: {l1?: number}): StableTrainL1 {
  return new StableTrainL1(args);
}
