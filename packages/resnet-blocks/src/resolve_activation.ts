import * as tf from '@tensorflow/tfjs-core';
import type {Activation, ActivationName} from './types';
import {show} from './validate';

const ACTIVATIONS: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  // swish / SiLU: x * sigmoid(x) (PyTorch nn.SiLU)
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  linear: (x) => x,
};

/** Names `resolveActivation` accepts. */
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

/**
 * Turns an activation option into a function; throws (before any tensor is made) on an unknown
 * name. `'relu'` is PyTorch `nn.ReLU` (relu'(0) = 0), `'swish'` is `nn.SiLU`.
 *
 * ```ts
 * const act = resolveActivation('relu', 'residualDense(block0)');
 * ```
 * @param activation a name from {@link ACTIVATION_NAMES} or a function
 * @param where the caller, for the error message (e.g. `residualDense(block0)`)
 */
export function resolveActivation(activation: Activation | undefined, where: string): (x: tf.Tensor) => tf.Tensor {
  if (activation === undefined) return ACTIVATIONS.relu;
  if (typeof activation === 'function') return activation;
  if (typeof activation === 'string' && Object.prototype.hasOwnProperty.call(ACTIVATIONS, activation)) {
    return ACTIVATIONS[activation];
  }
  throw new Error(
    `${where}: activation must be one of ${ACTIVATION_NAMES.join(', ')} or a function, got ${show(activation)}`,
  );
}
