import * as tf from '@tensorflow/tfjs-core';
import {checkPositive, checkTensorMap, F32_MAX} from './validate';

/**
 * Clips each tensor on its own by its root mean square: g ← g / max(1, rms(g) / threshold),
 * rms(g) = sqrt(mean(g²)) over all elements of the tensor (a "block" is one tensor).
 *
 * Optax `clip_by_block_rms(threshold)` (`optax/transforms/_clipping.py`, no eps; the clip used
 * inside Adafactor). A zero tensor stays zero, an empty one is returned empty. Nothing is read
 * back from the device.
 * Reference: Shazeer & Stern 2018 (Adafactor, update clipping), https://arxiv.org/abs/1804.04235
 *
 * ```ts
 * const clipped = clipByBlockRms(grads, 1.0); // every tensor's RMS is now <= 1
 * ```
 * @param grads gradients by variable name, as `tf.variableGrads` returns them
 * @param threshold largest allowed RMS of one tensor, finite and > 0
 * @returns the clipped gradients (new tensors; the caller disposes them)
 */
export function clipByBlockRms(grads: tf.NamedTensorMap, threshold: number): tf.NamedTensorMap {
  const fn = 'clipByBlockRms';
  checkTensorMap(fn, 'grads', grads);
  // clamped to float32's range: Infinity / Infinity (an overflowed rms) would be NaN
  const th = Math.min(checkPositive(fn, 'threshold', threshold), F32_MAX);
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) {
      if (g.size === 0) {
        out[name] = tf.clone(g);
        continue;
      }
      const x = g.dtype === 'float32' ? g : tf.cast(g, 'float32');
      const rms = tf.sqrt(tf.mean(tf.square(x)));
      const denom = tf.maximum(1, tf.div(rms, th));
      out[name] = tf.cast(tf.div(x, denom), g.dtype);
    }
    return out;
  });
}
