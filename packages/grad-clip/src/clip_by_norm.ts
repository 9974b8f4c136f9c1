import * as tf from '@tensorflow/tfjs-core';
import {checkPositive, checkTensorMap} from './validate';

/**
 * Clips each gradient tensor on its own to L2 norm at most `maxNorm`:
 * g ← g · maxNorm / max(‖g‖₂, maxNorm)  (= g · min(1, maxNorm / ‖g‖₂); zero tensors stay zero).
 *
 * Keras optimizer `clipnorm`, TF `tf.clip_by_norm`, Optax `clip_by_block_rms` is the RMS variant.
 * Not PyTorch's `clip_grad_norm_`, which is global (see `clipByGlobalNorm`). No eps, computed on
 * device.
 *
 * ```ts
 * const clipped = clipByNorm(grads, 1.0); // every tensor ends with ‖g‖₂ <= 1
 * ```
 * @param grads gradients by variable name
 * @param maxNorm largest allowed L2 norm per tensor, finite and > 0
 * @returns new clipped tensors by the same names (the caller disposes them)
 */
export function clipByNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  checkTensorMap('clipByNorm', 'grads', grads);
  checkPositive('clipByNorm', 'maxNorm', maxNorm);
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) {
      const norm = tf.sqrt(tf.sum(tf.square(g)));
      out[name] = tf.mul(g, tf.div(maxNorm, tf.maximum(norm, maxNorm)));
    }
    return out;
  });
}
