import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link normal}. */
export interface NormalArgs {
  /** mean, default 0 */
  mean?: number;
  /** standard deviation, > 0, default 1 */
  std?: number;
  /** seed of the draw */
  seed?: number;
}

/**
 * Normal for tf.layers: N(mean, std²), untruncated. Numbers from `@stable-train/initializers` `normal`.
 *
 * Same as PyTorch `normal_(w, mean, std)`, tfjs `RandomNormal` (arguments named as PyTorch's).
 */
export class StableTrainNormal extends TechniqueInitializer<NormalArgs> {
  static className = 'StableTrainNormal';
  constructor(args?: NormalArgs) {
    super('normal', args, ['mean', 'std', 'seed'], ({seed: _s, ...o}) => st.normal(o));
  }
}
tf.serialization.registerClass(StableTrainNormal);

/**
 * `kernelInitializer: normal({std: 0.02, seed: 7})`.
 * @param args see {@link NormalArgs}
 */
export function normal(args?: NormalArgs): StableTrainNormal {
  return new StableTrainNormal(args);
}
