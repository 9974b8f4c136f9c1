import * as tf from '@tensorflow/tfjs-core';
import {checkTensorMap} from './validate';

/**
 * Whether every element of every gradient is finite (no NaN, no ±Infinity), as a boolean scalar
 * tensor on device: all_i isFinite(g_i). An empty map gives `true`.
 *
 * the check inside Optax `apply_if_finite`; PyTorch `torch.isfinite(t).all()`.
 * Nothing is read back; read it when you need it (`(await ok.data())[0] === 1`), or feed it to
 * `tf.where` to skip a step on device.
 *
 * ```ts
 * const ok = allFinite(grads); // tf.Scalar<'bool'>
 * ```
 * @param grads gradients by variable name
 * @returns a bool scalar tensor (the caller disposes it)
 */
export function allFinite(grads: tf.NamedTensorMap): tf.Scalar {
  checkTensorMap('allFinite', 'grads', grads);
  return tf.tidy(() => {
    const parts = Object.values(grads)
      .filter((g) => g.size > 0)
      .map((g) => tf.all(tf.isFinite(g)) as tf.Scalar);
    if (parts.length === 0) return tf.scalar(true, 'bool');
    return tf.all(tf.stack(parts)) as tf.Scalar;
  });
}
