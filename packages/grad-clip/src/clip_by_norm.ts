import * as tf from '@tensorflow/tfjs-core';
import {checkPositive, checkTensorMap, F32_MAX} from './validate';

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
  const m = Math.min(checkPositive('clipByNorm', 'maxNorm', maxNorm), F32_MAX);
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) {
      const norm = tf.sqrt(tf.sum(tf.square(g)));
      // maxNorm clamped to float32's range: Infinity / Infinity would turn every gradient into NaN
      out[name] = tf.mul(g, tf.div(m, tf.maximum(norm, m)));
    }
    return out;
  });
}
