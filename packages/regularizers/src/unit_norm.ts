import * as tf from '@tensorflow/tfjs-core';
import {CONSTRAINT_EPS, checkAxis, makeConstraint, unitNorms} from './constraint';
import type {Constraint, ConstraintAxis} from './constraint';
import {checkOptions} from './validate';

/**
 * Unit-norm constraint: `w ← w / (1e-7 + ‖w‖)`, norms taken unit-wise over `axis`.
 *
 * Same formula and epsilon as Keras `constraints.UnitNorm` (keras/src/constraints/constraints.py).
 * Default axis: all axes but the last (per output unit in TF.js layouts; Keras `axis=0`).
 *
 * ```ts
 * unitNorm().apply(kernel);
 * ```
 * @param opts `axis` to reduce over (default all but the last)
 */
export function unitNorm(opts: {axis?: ConstraintAxis} = {}): Constraint {
  checkOptions('unitNorm', 'opts', opts, ['axis']);
  const axis = checkAxis('unitNorm', opts.axis);
  return makeConstraint('unitNorm', (w) => tf.div(w, tf.add(CONSTRAINT_EPS, unitNorms('unitNorm', w, axis))), axis);
}
