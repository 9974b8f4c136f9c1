import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link orthogonal}. */
export interface OrthogonalArgs {
  /** multiplier, finite and > 0, default 1 */
  gain?: number;
  /** seed of the draw (the same seed gives the same tensor) */
  seed?: number;
}

/**
 * (Semi-)orthogonal initializer for tf.layers, any rank >= 2: the kernel flattened to
 * [∏shape[:-1], shape[-1]] is gain·Q (QR of a Gaussian, signs fixed by diag R): WᵀW = gain²·I
 * (tall) or WWᵀ = gain²·I (wide). Numbers from `@stable-train/initializers` `orthogonal`.
 *
 * Same as PyTorch `orthogonal_(w, gain)`, Keras / tfjs `Orthogonal`.
 * Reference: Saxe, McClelland & Ganguli 2014, https://arxiv.org/abs/1312.6120
 */
export class StableTrainOrthogonal extends TechniqueInitializer<OrthogonalArgs> {
  static className = 'StableTrainOrthogonal';
  constructor(args?: OrthogonalArgs) {
    super('orthogonal', args, ['gain', 'seed'], ({seed: _s, ...o}) => st.orthogonal(o));
  }
}
tf.serialization.registerClass(StableTrainOrthogonal);

/**
 * `kernelInitializer: orthogonal({gain: 1, seed: 0})`.
 * @param args `gain` (default 1) and `seed`
 */
export function orthogonal(args?: OrthogonalArgs): StableTrainOrthogonal {
  return new StableTrainOrthogonal(args);
}
