import * as tf from '@tensorflow/tfjs-core';

/**
 * Optax `scale_by_trust_ratio` factor of one tensor (internal, shared by {@link lamb} and
 * {@link lars}): r = coef·‖p‖ / (‖u‖ + eps) with whole-tensor Frobenius norms, and r = 1
 * when ‖p‖ = 0 or ‖u‖ = 0. Returns a scalar tensor (call inside a tidy).
 * @param p the parameter (pre-step)
 * @param u the update direction
 * @param coef trust coefficient
 * @param eps added to ‖u‖
 */
export function trustRatio(p: tf.Tensor, u: tf.Tensor, coef: number, eps: number): tf.Tensor {
  const pn = tf.sqrt(tf.sum(tf.square(p)));
  const un = tf.sqrt(tf.sum(tf.square(u)));
  const r = tf.div(tf.mul(pn, coef), tf.add(un, eps));
  const zero = tf.logicalOr(tf.equal(pn, 0), tf.equal(un, 0));
  return tf.where(zero, tf.onesLike(r), r);
}
