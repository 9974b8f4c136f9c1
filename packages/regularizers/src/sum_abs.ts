import * as tf from '@tensorflow/tfjs-core';

/**
 * `Σ|x|` with the subgradient `sign(x)` (0 at x = 0), as TensorFlow and PyTorch define it
 * (internal). tfjs-core's own `Abs` gradient is `step(x, -1)`, i.e. −1 at exactly 0, which
 * would push zero weights of an L1 penalty away from zero. Written as `Σ x·sign(x)`: the value
 * is `|x|`, and since tfjs's `Sign` gradient is 0 the gradient is exactly `sign(x)` (no
 * `customGrad`, whose saved tensors the wasm leak check reports).
 */
export function sumAbs(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(x, tf.sign(x))));
}
