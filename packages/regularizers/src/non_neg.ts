import * as tf from '@tensorflow/tfjs-core';
import {makeConstraint} from './constraint';
import type {Constraint} from './constraint';

/**
 * Non-negativity constraint: `w ← max(w, 0)` element-wise.
 *
 * Same as Keras 3 `constraints.NonNeg` (`ops.maximum(w, 0)`).
 *
 * ```ts
 * nonNeg().apply(variables, {mask: {include: '**\/scale'}});
 * ```
 */
export function nonNeg(): Constraint {
  return makeConstraint('nonNeg', (w) => tf.maximum(w, 0));
}
