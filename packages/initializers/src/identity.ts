import * as tf from '@tensorflow/tfjs-core';
import {Initializer, makeInitializer} from './initializer';

/**
 * The identity matrix for a 2-D kernel `[in, out]`: w[i][j] = 1 if i = j else 0 (rectangular
 * shapes get ones on the main diagonal). Preserves inputs in linear layers (IRNN-style recurrences).
 * For conv kernels use {@link dirac} (PyTorch `dirac_`) or {@link deltaOrthogonal}.
 *
 * Same as PyTorch `torch.nn.init.eye_`, Keras / TF.js `Identity` (gain 1).
 *
 * ```ts
 * const w = identity([64, 64]);
 * ```
 */
export const identity: Initializer = makeInitializer(
  'identity',
  'identity',
  (shape, o) => tf.eye(shape[0], shape[1], undefined, o.dtype),
  (shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const k = Math.min(...shape);
    const mean = k / n;
    return {distribution: 'identity', mean, std: Math.sqrt(mean - mean * mean), low: 0, high: 1};
  },
  {minRank: 2, maxRank: 2, floatOnly: false},
);
