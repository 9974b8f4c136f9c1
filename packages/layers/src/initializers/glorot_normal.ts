import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link glorotNormal}. */
export interface GlorotNormalArgs {
  /** multiplier, finite and > 0, default 1 */
  gain?: number;
  /** seed of the draw (the same seed gives the same tensor) */
  seed?: number;
}

/**
 * Glorot / Xavier normal for tf.layers: N(0, std²) untruncated, std = gain·√(2/(fanIn + fanOut)).
 * Numbers from `@stable-train/initializers` `glorotNormal`.
 *
 * Same as PyTorch `xavier_normal_(w, gain)` (tfjs `GlorotNormal` truncates without correcting σ,
 * so its realised std is ≈12% low). Reference: Glorot & Bengio 2010,
 * https://proceedings.mlr.press/v9/glorot10a.html
 */
export class StableTrainGlorotNormal extends TechniqueInitializer<GlorotNormalArgs> {
  static className = 'StableTrainGlorotNormal';
  constructor(args?: GlorotNormalArgs) {
    super('glorotNormal', args, ['gain', 'seed'], ({seed: _s, ...o}) => st.glorotNormal(o));
  }
}
tf.serialization.registerClass(StableTrainGlorotNormal);

/**
 * `kernelInitializer: glorotNormal({gain: 1, seed: 0})`.
 * @param args `gain` (default 1) and `seed`
 */
export function glorotNormal(args?: GlorotNormalArgs): StableTrainGlorotNormal {
  return new StableTrainGlorotNormal(args);
}
