import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of the He / Kaiming adapters: PyTorch's `kaiming_*_` arguments plus a seed. */
export interface HeArgs {
  /** negative slope of the leaky ReLU that follows (used with `'leaky_relu'`), finite >= 0, default 0 */
  a?: number;
  /** `'fan_in'` (default) or `'fan_out'` */
  mode?: 'fan_in' | 'fan_out';
  /** the nonlinearity that follows (PyTorch's names), default `'leaky_relu'` (with a = 0: gain √2) */
  nonlinearity?: st.Nonlinearity;
  /** seed of the draw (the same seed gives the same tensor) */
  seed?: number;
}

export const HE_KEYS = ['a', 'mode', 'nonlinearity', 'seed'] as const;

/**
 * He / Kaiming normal for tf.layers: N(0, std²) untruncated, std = gain/√fan,
 * gain = calculateGain(nonlinearity, a), fan = fanIn or fanOut of the TF.js kernel layout.
 * Numbers from `@stable-train/initializers` `heNormal`.
 *
 * Same as PyTorch `kaiming_normal_(w, a, mode, nonlinearity)`. Unlike tfjs's own `HeNormal`
 * (a truncated normal whose realised std is ≈12% low), the std is exactly gain/√fan.
 * Reference: He et al. 2015, https://arxiv.org/abs/1502.01852
 */
export class StableTrainHeNormal extends TechniqueInitializer<HeArgs> {
  static className = 'StableTrainHeNormal';
  constructor(args?: HeArgs) {
    super('heNormal', args, HE_KEYS, ({seed: _s, ...o}) => st.heNormal(o));
  }
}
tf.serialization.registerClass(StableTrainHeNormal);

/**
 * `kernelInitializer: heNormal({mode: 'fan_out', nonlinearity: 'relu', seed: 1})`.
 * @param args see {@link HeArgs}
 */
export function heNormal(args?: HeArgs): StableTrainHeNormal {
  return new StableTrainHeNormal(args);
}
