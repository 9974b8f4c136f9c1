import * as tf from '@tensorflow/tfjs-core';
import {toNamedVariables} from './named_variables';
import type {VariableSet} from './named_variables';
import {compileMask, selectParams} from './select_params';
import type {ParamMask} from './select_params';
import {checkOptions, show} from './validate';

/** A weight constraint (Keras semantics): a projection applied to variables after each update. */
export interface Constraint {
  /** the factory's name, e.g. `'maxNorm'` */
  readonly name: string;
  /** Functional form: returns the constrained tensor (a new tensor; `w` is not changed). */
  constrain(w: tf.Tensor): tf.Tensor;
  /**
   * Assigns the constrained value to each variable in place, on device, after
   * `optimizer.applyGradients`. `mask` chooses among a list or map (default: all).
   * @returns the names of the variables it constrained
   */
  apply(variables: VariableSet, opts?: {mask?: ParamMask}): string[];
}

/** Axes to reduce over: one axis or a list; default all but the last (unit-wise). */
export type ConstraintAxis = number | number[];

/** Keras `backend.epsilon()`, used as `w · desired / (eps + norms)` in Keras constraints. */
export const CONSTRAINT_EPS = 1e-7;

/** Checks an `axis` option at construction: an integer or a non-empty list of distinct integers. */
export function checkAxis(fn: string, axis: unknown): number[] | undefined {
  if (axis === undefined) return undefined;
  const list = Array.isArray(axis) ? axis : [axis];
  if (list.length === 0 || list.some((a) => typeof a !== 'number' || !Number.isInteger(a)) || new Set(list).size !== list.length) {
    throw new Error(`${fn}: axis must be an integer or a non-empty list of distinct integers, got ${show(axis)}`);
  }
  return list as number[];
}

/**
 * Unit-wise L2 norms with kept dimensions. Default axes: every axis but the last (the output
 * unit in TF.js layouts: `[in, out]` → `[1, out]`, `[h, w, in, out]` → `[1, 1, 1, out]`); a
 * tensor of rank <= 1 is one unit (its whole norm).
 */
export function unitNorms(fn: string, w: tf.Tensor, axis: number[] | undefined): tf.Tensor {
  const axes = resolveAxes(fn, w, axis);
  if (axes.length === 0) return tf.abs(w); // a scalar: its norm is |w|
  // m · ‖w / m‖ with m = max |w| per unit (LAPACK snrm2's scaling): Σ w² overflows float32 for
  // |w| above ~1.8e19, and Infinity / Infinity in the constraints would be NaN
  const m = tf.max(tf.abs(w), axes, true);
  const safe = tf.where(tf.greater(m, 0), m, tf.onesLike(m));
  return tf.mul(safe, tf.sqrt(tf.sum(tf.square(tf.div(w, safe)), axes, true)));
}

/** The non-negative axes {@link unitNorms} reduces over; throws when one is out of range. */
export function resolveAxes(fn: string, w: tf.Tensor, axis: number[] | undefined): number[] {
  if (axis === undefined) return w.rank <= 1 ? [...Array(w.rank).keys()] : [...Array(w.rank - 1).keys()];
  return axis.map((a) => {
    if (a < -w.rank || a >= w.rank) throw new Error(`${fn}: axis must be in [${-w.rank}, ${w.rank - 1}] for a tensor of shape [${w.shape}], got ${a}`);
    return a < 0 ? a + w.rank : a;
  });
}

/** Builds a {@link Constraint} from its functional form (internal). */
export function makeConstraint(
  name: string,
  constrain: (w: tf.Tensor) => tf.Tensor,
  axis?: number[],
): Constraint {
  const checked = (w: tf.Tensor): tf.Tensor => {
    // norms of int32 weights fail inside tf.sqrt (or truncate): weights are float32
    if (!(w instanceof tf.Tensor) || w.isDisposed || w.dtype !== 'float32') throw new Error(`${name}: w must be a float32 tf.Tensor, got ${show(w)}`);
    resolveAxes(name, w, axis);
    return tf.tidy(() => constrain(w));
  };
  return {
    name,
    constrain: checked,
    apply(variables: VariableSet, opts: {mask?: ParamMask} = {}): string[] {
      const vars = toNamedVariables(`${name}.apply`, 'variables', variables);
      checkOptions(`${name}.apply`, 'opts', opts, ['mask']);
      const names = selectParams(vars, compileMask(`${name}.apply`, opts.mask), `${name}.apply`);
      for (const n of names) {
        // all checks before any update
        if (vars[n].dtype !== 'float32') throw new Error(`${name}.apply: variables['${n}'] must be float32, got ${show(vars[n])}`);
        resolveAxes(`${name}.apply`, vars[n], axis);
      }
      tf.tidy(() => {
        for (const n of names) vars[n].assign(constrain(vars[n]));
      });
      return names;
    },
  };
}
