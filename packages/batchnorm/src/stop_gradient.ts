// Internal: identity in the forward pass, zero gradient in the backward pass (tfjs-core has no
// tf.stopGradient). Used for batch renorm's r and d, which the paper treats as constants.
import * as tf from '@tensorflow/tfjs-core';

const stop = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/** `t` unchanged, but no gradient flows back through it. */
export function stopGradient<T extends tf.Tensor>(t: T): T {
  return stop(t) as T;
}
