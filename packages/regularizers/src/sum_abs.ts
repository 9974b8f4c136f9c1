import * as tf from '@tensorflow/tfjs-core';

/**
 * `Σ|x|` with the subgradient `sign(x)` (0 at x = 0), as TensorFlow and PyTorch define it
 * (internal). tfjs-core's own `Abs` gradient is `step(x, -1)`, i.e. −1 at exactly 0, which
 * would push zero weights of an L1 penalty away from zero.
 */
export const sumAbs: (x: tf.Tensor) => tf.Scalar = tf.customGrad(((x: tf.Tensor) => ({
  // tidy: a custom kernel may leave only its output behind
  value: tf.tidy(() => tf.sum(tf.abs(x))) as tf.Scalar,
  // `x` is read from the closure rather than `save`d: the input outlives the backward pass,
  // and `save` clones it, which the wasm backend's leak check (IS_TEST) reports as a leak
  gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.sign(x)),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Scalar;
