import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.unstack(v)` along axis 0 in O(log L) passes over v instead of O(L): on wasm every slice
 * (Unpack, Split) copies its *whole input* off the heap first (`readSync` = `HEAPU8.slice`), so
 * `tf.unstack` of an [L, ...] tensor copies L × |v| bytes; at L = 1000 that was ~12 GB per weight
 * stack per step (≈ 80% of a step). Splitting into ≤ 10 pieces per level copies ~3 × 10 × |v|.
 * Gradients flow through split/unstack as concat/stack (cheap).
 */
export function unstackTree(v: tf.Tensor, fan = 10): tf.Tensor[] {
  const L = v.shape[0];
  if (L <= fan) return tf.unstack(v);
  const pieces = Math.min(fan, Math.ceil(L / fan));
  const base = Math.floor(L / pieces);
  const sizes = Array.from({length: pieces}, (_, i) => base + (i < L % pieces ? 1 : 0));
  return tf.split(v, sizes, 0).flatMap((p) => unstackTree(p, fan));
}
