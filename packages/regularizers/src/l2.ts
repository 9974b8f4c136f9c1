import * as tf from '@tensorflow/tfjs-core';
import {sumPenalty} from './penalty';
import type {Penalty, PenaltyOptions} from './penalty';
import {checkFactor, checkOptions} from './validate';

/**
 * L2 penalty, Keras convention: `scale · Σ_p Σ_i p_i²` (no factor 1/2), gradient `2·scale·p`.
 *
 * Same as Keras `regularizers.L2(l2=scale)`. From PyTorch's coupled `weight_decay` (SGD/Adam add
 * `weight_decay · p` to the gradient): the gradient of `scale·Σp²` is `2·scale·p`, so use
 * `scale = weight_decay / 2`. (Optax `add_decayed_weights(wd)` is the same coupled form.)
 * For AdamW-style decoupled decay use {@link decoupledWeightDecay} instead.
 *
 * ```ts
 * const penalty = l2(5e-5, {mask: excludeNormAndBias}); // = PyTorch weight_decay 1e-4
 * const {value, grads} = tf.variableGrads(() => tf.add(loss(), penalty(params)));
 * ```
 * @param scale factor in front of the sum of squares, finite and >= 0
 * @param opts `mask`: which parameters the penalty covers (default: all)
 * @returns a function from the parameters (`NamedTensorMap`) to a scalar tensor
 */
export function l2(scale: number, opts: PenaltyOptions = {}): Penalty {
  checkFactor('l2', 'scale', scale);
  checkOptions('l2', 'opts', opts, ['mask']);
  return sumPenalty('l2', opts.mask, (t) => tf.mul(scale, tf.sum(tf.square(t))));
}
