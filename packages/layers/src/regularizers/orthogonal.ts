import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/regularizers';
import {TechniqueRegularizer} from './technique_regularizer';

/** Options of {@link orthogonal}. */
export interface OrthogonalArgs {
  /** factor in front of the mean, finite and >= 0, default 0.01 (Keras) */
  factor?: number;
  /** make the rows (`'rows'`, default) or the columns (`'columns'`) of the kernel orthogonal */
  mode?: 'rows' | 'columns';
}

/**
 * Orthogonality penalty for tf.layers: with the kernel flattened to `[∏shape[:-1], out]` and its
 * rows (or columns) L2-normalised, `factor · Σ_{i≠j} |G_ij| / (k(k−1))` for their Gram matrix G
 * (k × k), i.e. factor × the mean |cosine| between distinct rows (columns). From
 * `@stable-train/regularizers` `orthogonalPenalty`.
 *
 * Same as Keras 3 `regularizers.OrthogonalRegularizer(factor, mode)` (tfjs has none); use it on
 * kernels (rank >= 2) only.
 */
export class StableTrainOrthogonalRegularizer extends TechniqueRegularizer<OrthogonalArgs> {
  static className = 'StableTrainOrthogonalRegularizer';
  constructor(args?: OrthogonalArgs) {
    super('orthogonal', args, ['factor', 'mode'], (o) => st.orthogonalPenalty(o));
  }
}
tf.serialization.registerClass(StableTrainOrthogonalRegularizer);

/**
 * `kernelRegularizer: orthogonal({factor: 0.01, mode: 'columns'})`.
 * @param args see {@link OrthogonalArgs}
 */
export function orthogonal(args?: OrthogonalArgs): StableTrainOrthogonalRegularizer {
  return new StableTrainOrthogonalRegularizer(args);
}
