import * as tf from '@tensorflow/tfjs-core';
import type {PNormType} from './types';
import {checkPNormType, checkTensorMap} from './validate';

/**
 * The norm of all gradient tensors viewed as one vector, computed on device:
 * p = 2: sqrt(Σ g²), p = 1: Σ |g|, p = 'inf': max |g|, any other p >= 1: (Σ |g|^p)^(1/p).
 *
 * Same as the `total_norm` PyTorch `torch.nn.utils.clip_grad_norm_` returns (any `norm_type`;
 * PyTorch takes the p-norm of the per-tensor p-norms, which is the same number) and Optax
 * `optax.global_norm` / TF `tf.linalg.global_norm` (p = 2). An empty map has norm 0.
 * For p = 1 and 2 nothing is scaled against overflow (as PyTorch): a float32 L2 norm above ~1.8e19
 * is `Infinity`. Other p are computed as m · (Σ (|g|/m)^p)^(1/p) with m = max |g|, so that |g|^p
 * neither overflows nor underflows float32 (an infinite m gives Infinity, as PyTorch).
 *
 * ```ts
 * const norm = globalNorm(tf.variableGrads(loss).grads); // tf.Scalar, nothing read back
 * ```
 * @param grads gradients by variable name, as `tf.variableGrads` returns them
 * @param normType 2 (default), 1, `'inf'` or any finite p >= 1 (e.g. 3)
 * @returns a float32 scalar tensor (the caller disposes it)
 */
export function globalNorm(grads: tf.NamedTensorMap, normType: PNormType = 2): tf.Scalar {
  checkTensorMap('globalNorm', 'grads', grads);
  const p = checkPNormType('globalNorm', normType);
  return globalNormUnchecked(grads, p);
}

/** `globalNorm` without argument checks (callers have validated already). */
export function globalNormUnchecked(grads: tf.NamedTensorMap, p: PNormType): tf.Scalar {
  return tf.tidy(() => {
    const xs: tf.Tensor[] = [];
    for (const g of Object.values(grads)) {
      if (g.size === 0) continue;
      xs.push(g.dtype === 'float32' ? g : tf.cast(g, 'float32'));
    }
    if (xs.length === 0) return tf.scalar(0);
    const maxAbs = (): tf.Scalar => {
      const parts = xs.map((x) => tf.max(tf.abs(x)) as tf.Scalar);
      return parts.length === 1 ? parts[0] : (tf.max(tf.stack(parts)) as tf.Scalar);
    };
    if (p === 'inf') return maxAbs();
    if (p === 1 || p === 2) {
      const parts = xs.map((x) => (p === 2 ? tf.sum(tf.square(x)) : tf.sum(tf.abs(x))) as tf.Scalar);
      const total = parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Scalar);
      return p === 2 ? tf.sqrt(total) : total;
    }
    return pNormScaled(xs, maxAbs(), p);
  });
}

/** m · (Σ (|x|/m)^p)^(1/p) for m = max|x| (internal); 0 for all-zero x, m itself when m is ±Inf/NaN. */
export function pNormScaled(xs: tf.Tensor[], m: tf.Scalar, p: number): tf.Scalar {
  return tf.tidy(() => {
    // the floor only matters when m = 0 (then every |x| is 0 and the sum is 0): avoids 0/0
    const safe = tf.maximum(m, 1e-30);
    const parts = xs.map((x) => tf.sum(tf.pow(tf.div(tf.abs(x), safe), p)) as tf.Scalar);
    const total = parts.length === 1 ? parts[0] : (tf.addN(parts) as tf.Scalar);
    const scaled = tf.mul(m, tf.pow(total, 1 / p)) as tf.Scalar;
    return tf.where(tf.isFinite(m), scaled, m) as tf.Scalar;
  });
}
