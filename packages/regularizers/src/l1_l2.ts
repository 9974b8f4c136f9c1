import * as tf from '@tensorflow/tfjs-core';
import {sumPenalty} from './penalty';
import {sumAbs} from './sum_abs';
import type {Penalty, PenaltyOptions} from './penalty';
import {checkFactor, checkOptions} from './validate';

/** Options of {@link l1l2}. */
export interface L1L2Options extends PenaltyOptions {
  /** L1 factor, finite and >= 0, default 0 */
  l1?: number;
  /** L2 factor, finite and >= 0, default 0 */
  l2?: number;
}

/**
 * Elastic-net penalty: `l1 · Σ|p| + l2 · Σp²` over the selected parameters; gradient
 * `l1·sign(p) + 2·l2·p`.
 *
 * Same as Keras `regularizers.L1L2(l1, l2)` (both default to 0 there too).
 *
 * ```ts
 * const penalty = l1l2({l1: 1e-5, l2: 1e-4, mask: excludeNormAndBias});
 * ```
 * @param opts `l1`, `l2` factors and the `mask` of parameters covered (default: all)
 * @returns a function from the parameters (`NamedTensorMap`) to a scalar tensor
 */
export function l1l2(opts: L1L2Options = {}): Penalty {
  checkOptions('l1l2', 'opts', opts, ['l1', 'l2', 'mask']);
  const a = checkFactor('l1l2', 'l1', opts.l1 ?? 0);
  const b = checkFactor('l1l2', 'l2', opts.l2 ?? 0);
  return sumPenalty('l1l2', opts.mask, (t) =>
    tf.add(tf.mul(a, sumAbs(t)), tf.mul(b, tf.sum(tf.square(t)))),
  );
}
