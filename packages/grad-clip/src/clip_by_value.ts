import * as tf from '@tensorflow/tfjs-core';
import {checkOptions, checkPositive, checkTensorMap, show} from './validate';

/** Bounds for `clipByValue`: one number c (meaning [-c, c]) or an explicit `{min, max}`. */
export type ClipValue = number | {min: number; max: number};

/**
 * Clamps every gradient element into `[-clipValue, clipValue]` (or `[min, max]`):
 * g ← min(max(g, min), max).
 *
 * PyTorch `torch.nn.utils.clip_grad_value_`, Keras `clipvalue`, Optax `clip` (c) and
 * `tf.clipByValue` per tensor. Changes the gradient's direction, unlike norm clipping.
 *
 * ```ts
 * const clipped = clipByValue(grads, 0.5);              // [-0.5, 0.5]
 * const skewed = clipByValue(grads, {min: -1, max: 0.1});
 * ```
 * @param grads gradients by variable name
 * @param clipValue c >= 0 (finite) for [-c, c], or `{min, max}` with min <= max (not NaN)
 * @returns new clipped tensors by the same names (the caller disposes them)
 */
export function clipByValue(grads: tf.NamedTensorMap, clipValue: ClipValue): tf.NamedTensorMap {
  const fn = 'clipByValue';
  checkTensorMap(fn, 'grads', grads);
  const [lo, hi] = checkClipValue(fn, clipValue);
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.clipByValue(g, lo, hi);
    return out;
  });
}

/** Validates a `ClipValue` and returns `[min, max]` (internal; createClipper uses it too). */
export function checkClipValue(fn: string, clipValue: unknown): [number, number] {
  if (typeof clipValue === 'number') {
    const c = checkPositive(fn, 'clipValue', clipValue, true);
    return [-c, c];
  }
  if (clipValue === null || typeof clipValue !== 'object' || Array.isArray(clipValue)) {
    throw new Error(`${fn}: clipValue must be a number >= 0 or {min, max}, got ${show(clipValue)}`);
  }
  const {min, max} = checkOptions<{min?: unknown; max?: unknown}>(fn, clipValue);
  if (typeof min !== 'number' || Number.isNaN(min)) throw new Error(`${fn}: clipValue.min must be a number, got ${show(min)}`);
  if (typeof max !== 'number' || Number.isNaN(max)) throw new Error(`${fn}: clipValue.max must be a number, got ${show(max)}`);
  if (min > max) throw new Error(`${fn}: clipValue.max must be >= clipValue.min (${min}), got ${max}`);
  return [min, max];
}
