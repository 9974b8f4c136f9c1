// Internal: mean and biased variance over `axes`, like tf.moments but without its float32
// cast. Reason: the Cast gradient calls `dy.clone()`, which fails wherever two copies of
// tfjs-core are loaded (the gradient registrations' ESM copy + the CJS bundle, as under jest).
import * as tf from '@tensorflow/tfjs-core';

/** `{mean, variance}` over `axes` (biased: divided by the count), kept dims as asked. */
export function moments(
  x: tf.Tensor,
  axes: number[],
  keepDims: boolean,
): {mean: tf.Tensor; variance: tf.Tensor} {
  const meanK = tf.mean(x, axes, true);
  const variance = tf.mean(tf.square(tf.sub(x, meanK)), axes, keepDims);
  const mean = keepDims ? meanK : tf.reshape(meanK, variance.shape);
  return {mean, variance};
}
