import type * as tf from '@tensorflow/tfjs-core';

/**
 * Sets the learning rate of any `tf.Optimizer` for the next update, the way each one reads it
 * (see NOTES-tfjs.md): SGD and Momentum cache `-lr` as a scalar, so only `setLearningRate`
 * changes them; Adam, Adamax, Adagrad, Adadelta and RMSProp read the `learningRate` field at
 * each step; stable-train's own optimizers (lr-schedule) take their public `setLearningRate`
 * (their `lr` field is read-only and never written).
 * Calls are skipped when the rate is unchanged (SGD re-allocates a scalar on each change).
 *
 * ```ts
 * setOptimizerLr(tf.train.sgd(0.1), 0.05);
 * ```
 * @param optimizer any tfjs-core optimizer or a subclass
 * @param lr the new learning rate, finite and >= 0
 */
export function setOptimizerLr(optimizer: tf.Optimizer, lr: number): void {
  if (!(Number.isFinite(lr) && lr >= 0)) throw new Error(`setOptimizerLr: lr must be a finite number >= 0, got ${lr}`);
  const o: {learningRate?: number; setLearningRate?: (v: number) => void} = Object(optimizer);
  if (typeof o.setLearningRate === 'function') {
    if (o.learningRate !== lr) o.setLearningRate(lr);
    return;
  }
  if ('learningRate' in o) {
    o.learningRate = lr;
    return;
  }
  throw new Error(
    `setOptimizerLr: cannot set the learning rate of ${optimizer.getClassName?.() ?? 'this optimizer'}; ` +
      'give it no schedule in the Trainer and let the optimizer schedule itself',
  );
}

/** Reads the learning rate an optimizer holds (NaN when it has no readable field). */
export function getOptimizerLr(optimizer: tf.Optimizer): number {
  const o: {learningRate?: unknown; currentLr?: unknown; lr?: unknown} = Object(optimizer);
  for (const v of [o.currentLr, o.learningRate, o.lr]) if (typeof v === 'number') return v;
  return NaN;
}
