import * as tf from '@tensorflow/tfjs-core';
import {sumPenalty} from './penalty';
import {sumAbs} from './sum_abs';
import type {Penalty, PenaltyOptions} from './penalty';
import {checkFactor, checkOptions} from './validate';

/**
 * L1 penalty: `scale · Σ_p Σ_i |p_i|` over the selected parameters. Its gradient is
 * `scale · sign(p)` (0 at p = 0), which pushes weights to exactly zero (sparsity).
 *
 * Same as Keras `regularizers.L1(l1=scale)` applied to each selected parameter.
 *
 * ```ts
 * const penalty = l1(1e-5, {mask: {include: '**\/kernel'}});
 * const {value, grads} = tf.variableGrads(() => tf.add(loss(), penalty(params)));
 * ```
 * @param scale factor in front of the sum, finite and >= 0
 * @param opts `mask`: which parameters the penalty covers (default: all)
 * @returns a function from the parameters (`NamedTensorMap`) to a scalar tensor
 */
export function l1(scale: number, opts: PenaltyOptions = {}): Penalty {
  checkFactor('l1', 'scale', scale);
  checkOptions('l1', 'opts', opts, ['mask']);
  return sumPenalty('l1', opts.mask, (t) => tf.mul(scale, sumAbs(t)));
}
