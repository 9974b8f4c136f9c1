import * as tf from '@tensorflow/tfjs-core';
import {CONSTRAINT_EPS, checkAxis, makeConstraint, unitNorms} from './constraint';
import type {Constraint, ConstraintAxis} from './constraint';
import {checkNonNegative, checkOptions, F32_MAX, show} from './validate';

/** Options of {@link minMaxNorm}. */
export interface MinMaxNormOptions {
  /** smallest allowed unit norm, finite and >= 0, default 0 */
  min?: number;
  /** largest allowed unit norm, finite and >= min, default 1 */
  max?: number;
  /** how far to move toward the interval per call, in [0, 1], default 1 (strict) */
  rate?: number;
  /** axes to reduce over, default all but the last */
  axis?: ConstraintAxis;
}

/**
 * Min-max-norm constraint: each unit's norm is moved toward `[min, max]`:
 * `desired = rate · clip(‖w‖, min, max) + (1 − rate) · ‖w‖`, `w ← w · desired / (1e-7 + ‖w‖)`.
 *
 * Same formula and epsilon as Keras `constraints.MinMaxNorm(min_value, max_value, rate, axis)`
 * (keras/src/constraints/constraints.py). Default axis: all but the last (per output unit).
 *
 * ```ts
 * minMaxNorm({min: 0.5, max: 2, rate: 0.1}).apply(kernel);
 * ```
 * @param opts `min`, `max`, `rate`, `axis`
 */
export function minMaxNorm(opts: MinMaxNormOptions = {}): Constraint {
  const fn = 'minMaxNorm';
  checkOptions(fn, 'opts', opts, ['min', 'max', 'rate', 'axis']);
  const min = Math.min(checkNonNegative(fn, 'min', opts.min ?? 0), F32_MAX);
  const max = Math.min(checkNonNegative(fn, 'max', opts.max ?? 1), F32_MAX);
  if (max < min) throw new Error(`${fn}: max must be >= min (${min}), got ${show(max)}`);
  const rate = opts.rate ?? 1;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new Error(`${fn}: rate must be a number in [0, 1], got ${show(rate)}`);
  }
  const axis = checkAxis(fn, opts.axis);
  return makeConstraint(
    fn,
    (w) => {
      const norms = unitNorms(fn, w, axis);
      // rate 1 (the default) skips the (1 − rate)·norms term: 0 · Infinity (an overflowed norm) is NaN
      const clipped = tf.clipByValue(norms, min, max);
      const desired = rate === 1 ? clipped : tf.add(tf.mul(rate, clipped), tf.mul(1 - rate, norms));
      return tf.mul(w, tf.div(desired, tf.add(CONSTRAINT_EPS, norms)));
    },
    axis,
  );
}
