import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/**
 * Dirac delta for conv kernels `[...spatial, in, out]` (rank 3-5) in tf.layers: zero except the
 * centre tap (index ⌊k/2⌋), where w[centre, d, g·(out/groups) + d] = 1; a 'same' conv with it
 * starts as the identity map. Numbers from `@stable-train/initializers` `dirac`.
 *
 * Same as PyTorch `dirac_(w, groups)`. Reference:
 * https://pytorch.org/docs/stable/nn.init.html#torch.nn.init.dirac_
 */
export class StableTrainDirac extends TechniqueInitializer<{groups?: number}> {
  static className = 'StableTrainDirac';
  constructor(args?: {groups?: number}) {
    super('dirac', args, ['groups'], (o) => st.dirac(o));
  }
}
tf.serialization.registerClass(StableTrainDirac);

/**
 * `kernelInitializer: dirac()` on a `conv2d` with as many filters as input channels.
 * @param args `groups` (a positive integer dividing out, default 1)
 */
export function dirac(args?: {groups?: number}): StableTrainDirac {
  return new StableTrainDirac(args);
}
