import * as tf from '@tensorflow/tfjs-core';
import {CONSTRAINT_EPS, checkAxis, makeConstraint, unitNorms} from './constraint';
import type {Constraint, ConstraintAxis} from './constraint';
import {checkOptions, checkPositive, F32_MAX} from './validate';

/**
 * Max-norm constraint: rescales each unit whose L2 norm exceeds `maxValue` back to it,
 * `w ← w · clip(‖w‖, 0, maxValue) / (1e-7 + ‖w‖)`, norms taken unit-wise over `axis`.
 *
 * Same formula and epsilon as Keras `constraints.MaxNorm` (keras/src/constraints/constraints.py,
 * `backend.epsilon()` = 1e-7). Default axis differs in form only: all axes but the last, i.e.
 * per output unit in TF.js layouts (Keras: `axis=0`, which is the same for a dense kernel and
 * what its docs tell conv users to replace with `[0, 1, 2]`). Reference: Srivastava et al. 2014,
 * https://jmlr.org/papers/v15/srivastava14a.html
 *
 * ```ts
 * const c = maxNorm({maxValue: 3});
 * optimizer.applyGradients(grads);
 * c.apply(kernels);                    // in place
 * const w2 = c.constrain(kernel);      // functional
 * ```
 * @param opts `maxValue` (> 0, default 2 as Keras), `axis` to reduce over (default all but the last)
 */
export function maxNorm(opts: {maxValue?: number; axis?: ConstraintAxis} = {}): Constraint {
  checkOptions('maxNorm', 'opts', opts, ['maxValue', 'axis']);
  const maxValue = Math.min(checkPositive('maxNorm', 'maxValue', opts.maxValue ?? 2), F32_MAX);
  const axis = checkAxis('maxNorm', opts.axis);
  return makeConstraint(
    'maxNorm',
    (w) => {
      const norms = unitNorms('maxNorm', w, axis);
      const desired = tf.clipByValue(norms, 0, maxValue);
      return tf.mul(w, tf.div(desired, tf.add(CONSTRAINT_EPS, norms)));
    },
    axis,
  );
}
