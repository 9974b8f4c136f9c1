import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/**
 * Identity for a 2-D kernel `[in, out]` in tf.layers: ones on the main diagonal (rectangular
 * shapes too). Numbers from `@stable-train/initializers` `identity`; for conv kernels use
 * {@link dirac} or {@link deltaOrthogonal}.
 *
 * Same as PyTorch `eye_`, tfjs / Keras `Identity` with gain 1.
 */
export class StableTrainIdentity extends TechniqueInitializer<Record<string, never>> {
  static className = 'StableTrainIdentity';
  constructor(args?: Record<string, never>) {
    super('identity', args, [], () => st.identity);
  }
}
tf.serialization.registerClass(StableTrainIdentity);

/** `kernelInitializer: identity()`. */
export function identity(args?: Record<string, never>): StableTrainIdentity {
  return new StableTrainIdentity(args);
}
