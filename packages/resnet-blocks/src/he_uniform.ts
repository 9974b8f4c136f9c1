import * as tf from '@tensorflow/tfjs-core';
import {checkSize, show} from './validate';

/**
 * He (Kaiming) uniform initialiser, the package's default kernel init:
 * W ~ U(-b, b) with b = sqrt(6 / fan_in), fan_in = prod(shape[:-1]) (TF.js layouts:
 * dense `[in, out]`, conv `[h, w, in, out]`), so Var(W) = 2 / fan_in.
 *
 * Same as PyTorch `nn.init.kaiming_uniform_(w, a=0, mode='fan_in', nonlinearity='relu')` and Keras
 * `he_uniform`. Reference: He et al. 2015, https://arxiv.org/abs/1502.01852
 * (`@stable-train/initializers` has the full family; inject one with `kernelInit`).
 *
 * ```ts
 * const w = heUniform([16, 32]); // values in [-sqrt(6/16), sqrt(6/16))
 * ```
 * @param shape kernel shape; the last axis is the output axis
 */
export function heUniform(shape: number[]): tf.Tensor {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`heUniform: shape must be a non-empty array of integers > 0, got ${show(shape)}`);
  }
  checkSize('heUniform', shape);
  const fanIn = shape.length === 1 ? shape[0] : shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const bound = Math.sqrt(6 / fanIn);
  return tf.randomUniform(shape, -bound, bound, 'float32');
}
