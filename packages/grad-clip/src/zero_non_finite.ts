import * as tf from '@tensorflow/tfjs-core';
import {checkTensorMap} from './validate';

/**
 * Replaces every non-finite gradient element (NaN, +Infinity, -Infinity) by 0:
 * g ← where(isFinite(g), g, 0).
 *
 * Like Optax `zero_nans`, which replaces NaN only; here ±Infinity is zeroed too, since an
 * infinite element would still poison any norm or update. Computed on device.
 *
 * ```ts
 * const safe = zeroNonFinite(grads);
 * ```
 * @param grads gradients by variable name
 * @returns new tensors by the same names (the caller disposes them)
 */
export function zeroNonFinite(grads: tf.NamedTensorMap): tf.NamedTensorMap {
  checkTensorMap('zeroNonFinite', 'grads', grads);
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.where(tf.isFinite(g), g, tf.zerosLike(g));
    return out;
  });
}
