import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link uniform}. */
export interface UniformArgs {
  /** lower bound (inclusive), default 0 */
  min?: number;
  /** upper bound (exclusive), > min, default 1 */
  max?: number;
  /** seed of the draw */
  seed?: number;
}

/**
 * Uniform for tf.layers: U[min, max), std (max − min)/√12. Numbers from
 * `@stable-train/initializers` `uniform`.
 *
 * Same as PyTorch `uniform_(w, a=min, b=max)` (defaults 0, 1), tfjs `RandomUniform`.
 */
export class StableTrainUniform extends TechniqueInitializer<UniformArgs> {
  static className = 'StableTrainUniform';
  constructor(args?: UniformArgs) {
    super('uniform', args, ['min', 'max', 'seed'], ({seed: _s, ...o}) => st.uniform(o));
  }
}
tf.serialization.registerClass(StableTrainUniform);

/**
 * `kernelInitializer: uniform({min: -0.05, max: 0.05})`.
 * @param args see {@link UniformArgs}
 */
export function uniform(args?: UniformArgs): StableTrainUniform {
  return new StableTrainUniform(args);
}
