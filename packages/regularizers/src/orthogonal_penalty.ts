import * as tf from '@tensorflow/tfjs-core';
import {sumPenalty} from './penalty';
import {sumAbs} from './sum_abs';
import type {Penalty, PenaltyOptions} from './penalty';
import {checkFactor, checkOptions, show} from './validate';

/** Options of {@link orthogonalPenalty}. */
export interface OrthogonalPenaltyOptions extends PenaltyOptions {
  /** factor in front of the mean, finite and >= 0, default 0.01 (Keras) */
  factor?: number;
  /** make the rows (`'rows'`, default) or the columns (`'columns'`) orthogonal */
  mode?: 'rows' | 'columns';
}

// Keras `backend.epsilon()`: lower bound of a row/column norm in `normalize`.
const EPS = 1e-7;

/**
 * Orthogonality penalty (Keras `OrthogonalRegularizer`): L2-normalise the rows (or columns) of
 * each selected kernel, form their Gram matrix `G` (size k × k) and take
 * `factor · Σ_{i≠j} |G_ij| / (k(k−1))`, i.e. `factor` times the mean absolute cosine between
 * distinct rows (columns). Keras writes it as `factor · 0.5 · Σ|offdiag| / (k(k−1)/2)`, the same
 * number (keras/src/regularizers/regularizers.py, Keras 3). Rows are normalised as
 * `x / max(‖x‖, 1e-7)` like Keras `ops.normalize`; written `sqrt(max(Σx², eps²))` so that an
 * all-zero row gives a zero, not NaN, gradient.
 *
 * Layout as Keras and TF.js: a dense kernel `[in, out]`; a kernel of rank > 2 is flattened to
 * `[prod(shape[:-1]), out]` (Keras only accepts rank 2). Tensors of rank < 2 are rejected:
 * exclude them with the mask (e.g. `excludeNormAndBias`).
 *
 * ```ts
 * const penalty = orthogonalPenalty({factor: 0.01, mode: 'columns', mask: {include: '**\/kernel'}});
 * ```
 * @param opts `factor`, `mode` and the `mask` of parameters covered (default: all)
 * @returns a function from the parameters (`NamedTensorMap`) to a scalar tensor
 */
export function orthogonalPenalty(opts: OrthogonalPenaltyOptions = {}): Penalty {
  const fn = 'orthogonalPenalty';
  checkOptions(fn, 'opts', opts, ['factor', 'mode', 'mask']);
  const factor = checkFactor(fn, 'factor', opts.factor ?? 0.01);
  const mode = opts.mode ?? 'rows';
  if (mode !== 'rows' && mode !== 'columns') {
    throw new Error(`${fn}: mode must be 'rows' or 'columns', got ${show(mode)}`);
  }
  const axis = mode === 'rows' ? 1 : 0;
  const size = (t: tf.Tensor): number => (axis === 1 ? t.size / t.shape[t.rank - 1] : t.shape[t.rank - 1]);
  const check = (t: tf.Tensor, name: string): void => {
    if (t.rank < 2) {
      throw new Error(
        `${fn}: params[${show(name)}] must be a kernel of rank >= 2 (exclude others with the mask, e.g. excludeNormAndBias), ` +
          `got shape [${t.shape}]`,
      );
    }
    if (size(t) < 2) {
      throw new Error(`${fn}: params[${show(name)}] must have at least 2 ${mode} to orthogonalise, got shape [${t.shape}]`);
    }
  };
  return sumPenalty(
    fn,
    opts.mask,
    (t) => {
      const cols = t.shape[t.rank - 1];
      const w = tf.reshape(t, [t.size / cols, cols]);
      const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(w), axis, true), EPS * EPS));
      const x = tf.div(w, norm);
      // explicit transposes: matMul's transpose flags are slow on wasm (NOTES-tfjs.md)
      const gram = axis === 1 ? tf.matMul(x, tf.transpose(x)) : tf.matMul(tf.transpose(x), x);
      const k = size(t);
      const offDiagonal = tf.mul(gram, tf.sub(1, tf.eye(k)));
      return tf.mul(factor / (k * (k - 1)), sumAbs(offDiagonal));
    },
    check,
  );
}
