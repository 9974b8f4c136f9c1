import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueRegularizer} from './technique_regularizer';

/**
 * Elastic-net penalty for tf.layers: `l1 · Σ|w| + l2 · Σw²` (Keras convention, no 1/2), from
 * `@stable-train/regularizers` `l1l2`.
 *
 * Same as Keras `regularizers.L1L2(l1, l2)` and tfjs `tf.regularizers.l1l2` (both default 0.01 there
 * and here).
 */
export class StableTrainL1L2 extends TechniqueRegularizer<{l1?: number; l2?: number}> {
  static className = 'StableTrainL1L2';
  constructor(args?: {l1?: number; l2?: number}) {
    super('l1l2', args, ['l1', 'l2'], (o) => st.l1l2({l1: o.l1 ?? 0.01, l2: o.l2 ?? 0.01}));
  }
}
tf.serialization.registerClass(StableTrainL1L2);

/**
 * `kernelRegularizer: l1l2({l1: 1e-5, l2: 1e-4})`.
 * @param args `l1`, `l2`: factors, finite and >= 0, default 0.01 each (tfjs)
 */
export function l1l2(args?: {l1?: number; l2?: number}): StableTrainL1L2 {
  return new StableTrainL1L2(args);
}
