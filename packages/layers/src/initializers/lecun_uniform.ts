import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/**
 * LeCun uniform for tf.layers: U(−√(3/fanIn), √(3/fanIn)), std 1/√fanIn.
 * Numbers from `@stable-train/initializers` `lecunUniform`.
 *
 * Same as Keras / tfjs `LeCunUniform`, PyTorch `kaiming_uniform_(w, mode="fan_in", nonlinearity="linear")`.
 * Reference: Klambauer et al. 2017, https://arxiv.org/abs/1706.02515
 */
export class StableTrainLecunUniform extends TechniqueInitializer<{seed?: number}> {
  static className = 'StableTrainLecunUniform';
  constructor(args?: {seed?: number}) {
    super('lecunUniform', args, ['seed'], () => st.lecunUniform());
  }
}
tf.serialization.registerClass(StableTrainLecunUniform);

/**
 * `kernelInitializer: lecunUniform({seed: 0})`.
 * @param args `seed` of the draw
 */
export function lecunUniform(args?: {seed?: number}): StableTrainLecunUniform {
  return new StableTrainLecunUniform(args);
}
