import type * as tf from '@tensorflow/tfjs-core';
import {show} from './validate';

/** The fields the lr of each kind of optimizer lives in. */
interface LrFields {
  learningRate?: number;
  lr?: unknown;
  currentLr?: unknown;
  setLearningRate?: (v: number) => void;
  /** a wrapper's inner optimizer (grad-clip `ClippedOptimizer`, layers `applyIfFinite`) */
  optimizer?: unknown;
  schedule?: unknown;
}

/** A wrapper that holds the optimizer doing the update in `.optimizer` and has no lr of its own. */
function innerOf(o: LrFields): tf.Optimizer | undefined {
  const inner = o.optimizer as LrFields | undefined;
  const isOpt = inner != null && typeof (inner as {applyGradients?: unknown}).applyGradients === 'function';
  return isOpt && !('learningRate' in o) && !('lr' in o) ? (inner as unknown as tf.Optimizer) : undefined;
}

/**
 * Sets the learning rate of any `tf.Optimizer` for the next update, the way each one reads it:
 * SGD and Momentum cache `-lr` as a scalar, so only `setLearningRate` changes them; Adam, Adamax,
 * Adagrad, Adadelta and RMSProp read the `learningRate` field at each step; this package's
 * `TorchOptimizer`s with a constant lr take their `setLearningRate`. Wrappers that keep the real optimizer in
 * `.optimizer` (`withClipping`, `applyIfFinite`) are unwrapped. An optimizer whose lr is a
 * schedule (`withSchedule`, `adam({lr: cosineDecay(...)})`) is refused: its schedule would
 * overwrite the value at the next step. Calls are skipped when the rate is unchanged (SGD
 * re-allocates a scalar on each change).
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const opt = tf.train.sgd(0.1);
 * setOptimizerLr(opt, 0.05);
 * console.log(getOptimizerLr(opt)); // 0.05
 * ```
 * @param optimizer any tfjs-core optimizer or a subclass
 * @param lr the new learning rate, finite and >= 0
 */
export function setOptimizerLr(optimizer: tf.Optimizer, lr: number): void {
  if (typeof lr !== 'number' || !(Number.isFinite(lr) && lr >= 0)) throw new Error(`setOptimizerLr: lr must be a finite number >= 0, got ${show(lr)}`);
  if (optimizer == null || typeof optimizer !== 'object' || typeof (optimizer as {applyGradients?: unknown}).applyGradients !== 'function') {
    throw new Error(`setOptimizerLr: optimizer must be a tf.Optimizer, got ${show(optimizer)}`);
  }
  const o = optimizer as unknown as LrFields;
  const inner = innerOf(o);
  if (inner) return setOptimizerLr(inner, lr);
  if (typeof o.lr === 'function' || (typeof o.schedule === 'function' && !('learningRate' in o))) {
    throw new Error(
      `setOptimizerLr: cannot set the learning rate of ${optimizer.getClassName?.() ?? 'this optimizer'}: ` +
        'its lr is a schedule, which sets it before every step; give it a constant lr, or let the schedule drive it',
    );
  }
  if (typeof o.setLearningRate === 'function') {
    if (o.learningRate !== lr) o.setLearningRate(lr);
    return;
  }
  if ('learningRate' in o) {
    o.learningRate = lr;
    return;
  }
  throw new Error(
    `setOptimizerLr: cannot set the learning rate of ${optimizer.getClassName?.() ?? 'this optimizer'}: ` +
      'its lr is a schedule, which sets it before every step; give it a constant lr, or let the schedule drive it',
  );
}

/**
 * The learning rate the optimizer's next update will use (schedules evaluated at its step;
 * wrappers unwrapped); NaN when it has no readable lr.
 * @param optimizer any tfjs-core optimizer or a subclass
 */
export function getOptimizerLr(optimizer: tf.Optimizer): number {
  if (optimizer == null || typeof optimizer !== 'object' || typeof (optimizer as {applyGradients?: unknown}).applyGradients !== 'function') {
    throw new Error(`getOptimizerLr: optimizer must be a tf.Optimizer, got ${show(optimizer)}`);
  }
  const o = optimizer as unknown as LrFields;
  const inner = innerOf(o);
  if (inner) return getOptimizerLr(inner);
  for (const v of [o.currentLr, o.learningRate, o.lr]) if (typeof v === 'number') return v;
  return NaN;
}
