import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link deltaOrthogonal}. */
export interface DeltaOrthogonalArgs {
  /** multiplier, finite and > 0, default 1 */
  gain?: number;
  /** seed of the draw (the same seed gives the same tensor) */
  seed?: number;
}

/**
 * Delta-orthogonal initializer for conv kernels `[...spatial, in, out]` (rank 3-5, in <= out):
 * zero except the spatial centre tap, which is gain·H with H an orthogonal [in, out] matrix.
 * Numbers from `@stable-train/initializers` `deltaOrthogonal`.
 *
 * Same as TF `convolutional_delta_orthogonal`. Reference: Xiao et al. 2018,
 * https://arxiv.org/abs/1806.05393
 */
export class StableTrainDeltaOrthogonal extends TechniqueInitializer<DeltaOrthogonalArgs> {
  static className = 'StableTrainDeltaOrthogonal';
  constructor(args?: DeltaOrthogonalArgs) {
    super('deltaOrthogonal', args, ['gain', 'seed'], ({seed: _s, ...o}) => st.deltaOrthogonal(o));
  }
}
tf.serialization.registerClass(StableTrainDeltaOrthogonal);

/**
 * `kernelInitializer: deltaOrthogonal({gain: 1, seed: 0})`.
 * @param args `gain` (default 1) and `seed`
 */
export function deltaOrthogonal(args?: DeltaOrthogonalArgs): StableTrainDeltaOrthogonal {
  return new StableTrainDeltaOrthogonal(args);
}
