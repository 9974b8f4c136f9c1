import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link truncatedNormal} (PyTorch `trunc_normal_`'s, bounds absolute). */
export interface TruncatedNormalArgs {
  /** mean of the untruncated normal, default 0 */
  mean?: number;
  /** std of the untruncated normal, > 0, default 1 */
  std?: number;
  /** lower bound (absolute, not in stds), default −2 */
  a?: number;
  /** upper bound (absolute), > a, default 2 */
  b?: number;
  /** seed of the draw */
  seed?: number;
}

/**
 * Truncated normal for tf.layers: N(mean, std²) restricted to the absolute interval [a, b]
 * (inverse-CDF sampling). Numbers from `@stable-train/initializers` `truncatedNormal`.
 *
 * Same as PyTorch `trunc_normal_(w, mean, std, a, b)`. Not tfjs's `TruncatedNormal` (which always
 * cuts at ±2 stddev): for that pass a = mean − 2·std, b = mean + 2·std.
 * Reference: https://pytorch.org/docs/stable/nn.init.html#torch.nn.init.trunc_normal_
 */
export class StableTrainTruncatedNormal extends TechniqueInitializer<TruncatedNormalArgs> {
  static className = 'StableTrainTruncatedNormal';
  constructor(args?: TruncatedNormalArgs) {
    super('truncatedNormal', args, ['mean', 'std', 'a', 'b', 'seed'], ({seed: _s, ...o}) => st.truncatedNormal(o));
  }
}
tf.serialization.registerClass(StableTrainTruncatedNormal);

/**
 * `kernelInitializer: truncatedNormal({std: 0.02, a: -0.04, b: 0.04})` (ViT-style).
 * @param args see {@link TruncatedNormalArgs}
 */
export function truncatedNormal(args?: TruncatedNormalArgs): StableTrainTruncatedNormal {
  return new StableTrainTruncatedNormal(args);
}
