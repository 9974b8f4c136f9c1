import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/**
 * LeCun normal for tf.layers: N(0, 1/fanIn) untruncated (std 1/√fanIn), for SELU networks.
 * Numbers from `@stable-train/initializers` `lecunNormal`.
 *
 * Same as PyTorch `kaiming_normal_(w, mode="fan_in", nonlinearity="linear")` (tfjs `LeCunNormal`
 * truncates without correcting σ: realised std ≈12% low).
 * Reference: Klambauer et al. 2017, https://arxiv.org/abs/1706.02515
 */
export class StableTrainLecunNormal extends TechniqueInitializer<{seed?: number}> {
  static className = 'StableTrainLecunNormal';
  constructor(args?: {seed?: number}) {
    super('lecunNormal', args, ['seed'], () => st.lecunNormal());
  }
}
tf.serialization.registerClass(StableTrainLecunNormal);

/**
 * `kernelInitializer: lecunNormal({seed: 0})`.
 * @param args `seed` of the draw
 */
export function lecunNormal(args?: {seed?: number}): StableTrainLecunNormal {
  return new StableTrainLecunNormal(args);
}
