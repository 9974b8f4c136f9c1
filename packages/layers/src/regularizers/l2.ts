import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueRegularizer} from './technique_regularizer';

/**
 * L2 penalty for tf.layers, Keras convention: `l2 · Σw²` (no factor 1/2; gradient `2·l2·w`), from
 * `@stable-train/regularizers` `l2`.
 *
 * Same as Keras `regularizers.L2(l2)` and tfjs `tf.regularizers.l2({l2})` (default 0.01). PyTorch's
 * coupled `weight_decay = wd` (gradient `wd·w`) is `l2({l2: wd / 2})`; for AdamW-style decoupled
 * decay use an optimizer with decoupled weight decay instead.
 */
export class StableTrainL2 extends TechniqueRegularizer<{l2?: number}> {
  static className = 'StableTrainL2';
  constructor(args?: {l2?: number}) {
    super('l2', args, ['l2'], (o) => st.l2(o.l2 ?? 0.01));
  }
}
tf.serialization.registerClass(StableTrainL2);

/**
 * `kernelRegularizer: l2({l2: 5e-5})` (= PyTorch weight_decay 1e-4 on this kernel).
 * @param args `l2`: the factor, finite and >= 0, default 0.01 (Keras)
 */
export function l2(args?: {l2?: number}): StableTrainL2 {
  return new StableTrainL2(args);
}
