import * as tf from '@tensorflow/tfjs-core';
import type {NormType} from './types';
import {checkNormType, show} from './validate';

/**
 * Norm per output unit in TF.js layouts: the last axis is the unit, every other axis is reduced
 * (keepDims). Dense kernel `[in, out]` → `[1, out]`; conv kernel `[h, w, in, out]` →
 * `[1, 1, 1, out]`; 1-D tensors (biases, BN gamma/beta) and scalars → the whole-tensor norm,
 * shape `[]`.
 *
 * timm `unitwise_norm` (`timm/utils/agc.py`), which reduces every dim but dim 0 because PyTorch
 * stores the output unit first; here the output unit is last. Used by `adaptiveClip`.
 * Reference: Brock, De, Smith & Simonyan 2021, https://arxiv.org/abs/2102.06171
 *
 * ```ts
 * unitwiseNorm(tf.ones([3, 4])); // [[√3, √3, √3, √3]], shape [1, 4]
 * ```
 * @param t a weight or gradient tensor
 * @param normType 1, 2 (default) or `'inf'`
 * @returns the unit-wise norms (a new tensor; the caller disposes it)
 */
export function unitwiseNorm(t: tf.Tensor, normType: NormType = 2): tf.Tensor {
  if (!(t instanceof tf.Tensor) || t.isDisposed) throw new Error(`unitwiseNorm: t must be a live tf.Tensor, got ${show(t)}`);
  // sums of int32/bool values would come back int32 (truncated), not the float32 norms
  if (t.dtype !== 'float32') throw new Error(`unitwiseNorm: t must be a float32 tensor, got ${show(t)}`);
  const p = checkNormType('unitwiseNorm', normType);
  return unitwiseNormUnchecked(t, p);
}

/** `unitwiseNorm` without argument checks (internal). */
export function unitwiseNormUnchecked(t: tf.Tensor, p: NormType): tf.Tensor {
  return tf.tidy(() => {
    const axes = t.rank <= 1 ? undefined : Array.from({length: t.rank - 1}, (_, i) => i);
    const keepDims = t.rank > 1;
    if (p === 2) return tf.sqrt(tf.sum(tf.square(t), axes, keepDims));
    if (p === 1) return tf.sum(tf.abs(t), axes, keepDims);
    return tf.max(tf.abs(t), axes, keepDims);
  });
}
