import * as tf from '@tensorflow/tfjs-core';
import {checkSize, show} from './validate';

/**
 * Zeros initialiser, the package's default bias init: b = 0.
 *
 * Same as PyTorch `nn.init.zeros_` and Keras `zeros` (PyTorch's `nn.Linear` default bias is
 * U(±1/sqrt(fan_in)) instead; inject that with `biasInit` to mimic it).
 *
 * ```ts
 * const b = zerosInit([32]);
 * ```
 * @param shape the tensor shape
 */
export function zerosInit(shape: number[]): tf.Tensor {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`zerosInit: shape must be an array of integers >= 0, got ${show(shape)}`);
  }
  checkSize('zerosInit', shape);
  return tf.zeros(shape, 'float32');
}
