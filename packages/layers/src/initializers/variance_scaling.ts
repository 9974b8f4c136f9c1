import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link varianceScaling}. */
export interface VarianceScalingArgs {
  /** variance multiplier (gain²), finite and > 0, default 1 */
  scale?: number;
  /** `'fan_in'` (default), `'fan_out'` or `'fan_avg'` */
  mode?: st.FanMode;
  /** `'truncated_normal'` (default, σ corrected by 1/0.8796 as Keras), `'normal'` or `'uniform'` */
  distribution?: st.VarianceDistribution;
  /** seed of the draw */
  seed?: number;
}

/**
 * Variance scaling for tf.layers: every element has variance scale/n, n = fanIn, fanOut or
 * (fanIn + fanOut)/2. Numbers from `@stable-train/initializers` `varianceScaling`.
 *
 * Same as Keras `VarianceScaling` (its defaults). Unlike tfjs's own, `'normal'` is a true normal
 * and `'truncated_normal'` realises the requested std. Reference: He et al. 2015,
 * https://arxiv.org/abs/1502.01852
 */
export class StableTrainVarianceScaling extends TechniqueInitializer<VarianceScalingArgs> {
  static className = 'StableTrainVarianceScaling';
  constructor(args?: VarianceScalingArgs) {
    super('varianceScaling', args, ['scale', 'mode', 'distribution', 'seed'], ({seed: _s, ...o}) => st.varianceScaling(o));
  }
}
tf.serialization.registerClass(StableTrainVarianceScaling);

/**
 * `kernelInitializer: varianceScaling({scale: 2, mode: 'fan_in', distribution: 'normal'})`.
 * @param args see {@link VarianceScalingArgs}
 */
export function varianceScaling(args?: VarianceScalingArgs): StableTrainVarianceScaling {
  return new StableTrainVarianceScaling(args);
}
