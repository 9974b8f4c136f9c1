import * as tf from '@tensorflow/tfjs-core';
import type {NormType} from './types';
import {checkNormType, checkTensorMap} from './validate';

/**
 * The norm of all gradient tensors viewed as one vector, computed on device:
 * p = 2: sqrt(Σ g²), p = 1: Σ |g|, p = 'inf': max |g|.
 *
 * Same as the `total_norm` PyTorch `torch.nn.utils.clip_grad_norm_` returns and Optax
 * `optax.global_norm` / TF `tf.linalg.global_norm` (p = 2). An empty map has norm 0.
 * No scaling is done against overflow (as PyTorch): a float32 L2 norm above ~1.8e19 is `Infinity`.
 *
 * ```ts
 * const norm = globalNorm(tf.variableGrads(loss).grads); // tf.Scalar, nothing read back
 * ```
 * @param grads gradients by variable name, as `tf.variableGrads` returns them
 * @param normType 1, 2 (default) or `'inf'`
 * @returns a float32 scalar tensor (the caller disposes it)
 */
export function globalNorm(grads: tf.NamedTensorMap, normType: NormType = 2): tf.Scalar {
  checkTensorMap('globalNorm', 'grads', grads);
  const p = checkNormType('globalNorm', normType);
  return globalNormUnchecked(grads, p);
}

/** `globalNorm` without argument checks (callers have validated already). */
export function globalNormUnchecked(grads: tf.NamedTensorMap, p: NormType): tf.Scalar {
  return tf.tidy(() => {
    const parts: tf.Scalar[] = [];
    for (const g of Object.values(grads)) {
      if (g.size === 0) continue;
      const x = g.dtype === 'float32' ? g : tf.cast(g, 'float32');
      if (p === 2) parts.push(tf.sum(tf.square(x)));
      else if (p === 1) parts.push(tf.sum(tf.abs(x)));
      else parts.push(tf.max(tf.abs(x)));
    }
    if (parts.length === 0) return tf.scalar(0);
    if (p === 'inf') return parts.length === 1 ? parts[0] : (tf.max(tf.stack(parts)) as tf.Scalar);
    const total = parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Scalar);
    return p === 2 ? tf.sqrt(total) : total;
  });
}
