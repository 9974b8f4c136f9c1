// Shared by the batched benches (batched_resmlp.ts for deep-residual.ts): M models live
// side by side in tensors whose axis 0 is the model, so each model's loss and gradient norm is a
// reduction over every other axis.
import * as tf from '@tensorflow/tfjs-core';

/** Axes 1..rank-1 of a batched `[M, …]` tensor: everything but the model axis. */
export const modelAxes = (t: tf.Tensor): number[] => t.shape.slice(1).map((_, i) => i + 1);

/**
 * Per-model losses `[M]` and the gradients of their sum (the models never interact, so each
 * model's block of the gradient is its own loss's gradient). Call inside a `tf.tidy`; the loss
 * vector is kept out of `variableGrads`' scope.
 */
export function batchedLossAndGrads(losses: () => tf.Tensor, vars: tf.Variable[]): {lossVec: tf.Tensor; grads: tf.NamedTensorMap} {
  let kept: tf.Tensor | null = null;
  const r = tf.variableGrads(() => {
    const l = losses();
    kept = tf.keep(l);
    return tf.sum(l) as tf.Scalar;
  }, vars);
  return {lossVec: kept! as tf.Tensor, grads: r.grads};
}

/** Σg² per model, `[M]` (plain float32 sums: they overflow past ‖g‖ ≈ 1.8e19). */
export function perModelSumSquares(grads: tf.Tensor[]): tf.Tensor {
  return tf.addN(grads.map((g) => tf.sum(tf.square(g), modelAxes(g))));
}
