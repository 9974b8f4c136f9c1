import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link glorotUniform}. */
export interface GlorotUniformArgs {
  /** multiplier, finite and > 0, default 1 */
  gain?: number;
  /** seed of the draw (the same seed gives the same tensor) */
  seed?: number;
}

/**
 * Glorot / Xavier uniform for tf.layers: U(−bound, bound), bound = gain·√(6/(fanIn + fanOut)).
 * Numbers from `@stable-train/initializers` `glorotUniform`.
 *
 * Same as PyTorch `xavier_uniform_(w, gain)`; with gain 1, tfjs / Keras `GlorotUniform`.
 * Reference: Glorot & Bengio 2010, https://proceedings.mlr.press/v9/glorot10a.html
 */
export class StableTrainGlorotUniform extends TechniqueInitializer<GlorotUniformArgs> {
  static className = 'StableTrainGlorotUniform';
  constructor(args?: GlorotUniformArgs) {
    super('glorotUniform', args, ['gain', 'seed'], ({seed: _s, ...o}) => st.glorotUniform(o));
  }
}
tf.serialization.registerClass(StableTrainGlorotUniform);

/**
 * `kernelInitializer: glorotUniform({gain: 1, seed: 0})`.
 * @param args `gain` (default 1) and `seed`
 */
export function glorotUniform(args?: GlorotUniformArgs): StableTrainGlorotUniform {
  return new StableTrainGlorotUniform(args);
}
