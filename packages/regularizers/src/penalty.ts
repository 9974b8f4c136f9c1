import * as tf from '@tensorflow/tfjs-core';
import {compileMask, selectParams} from './select_params';
import type {ParamMask} from './select_params';
import {show} from './validate';

/** A loss term computed from the parameters: add its value to the loss before differentiating. */
export type Penalty = (params: tf.NamedTensorMap) => tf.Scalar;

/** Options every penalty accepts. */
export interface PenaltyOptions {
  /** which parameters the penalty covers; default: all of them */
  mask?: ParamMask;
}

/**
 * Builds a penalty that sums `term(tensor, name)` over the parameters `mask` selects (internal).
 * Validation of the map and the mask happens before any tensor is made; the sum is `tf.tidy`-clean
 * and stays on device. No parameter selected gives a scalar 0.
 */
export function sumPenalty(
  fn: string,
  mask: ParamMask | undefined,
  term: (t: tf.Tensor, name: string) => tf.Scalar,
  check: (t: tf.Tensor, name: string) => void = () => undefined,
): Penalty {
  const compiled = compileMask(fn, mask);
  return (params: tf.NamedTensorMap): tf.Scalar => {
    if (params === null || typeof params !== 'object' || Array.isArray(params) || params instanceof tf.Tensor) {
      throw new Error(`${fn}: params must be a map of tensors by name (NamedTensorMap), got ${show(params)}`);
    }
    for (const [name, t] of Object.entries(params)) {
      if (!(t instanceof tf.Tensor)) throw new Error(`${fn}: params[${show(name)}] must be a tf.Tensor, got ${show(t)}`);
    }
    const names = selectParams(params, compiled, fn);
    for (const n of names) check(params[n], n);
    return tf.tidy(() => {
      let total: tf.Scalar = tf.scalar(0);
      for (const n of names) total = tf.add(total, term(params[n], n));
      return total;
    });
  };
}
