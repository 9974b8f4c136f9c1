// Gradient override for BatchMatMul (tf.matMul) that transposes explicitly instead of asking the
// kernel for transposeA/transposeB, which is 10-20x slower on the WASM backend.
import * as tf from '@tensorflow/tfjs-core';

/** Swaps the last two axes of `t`. */
export function transposeLast2(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  return tf.transpose(t, [...Array.from({length: r - 2}, (_, i) => i), r - 1, r - 2]);
}

/** `op(a) · op(b)` where `op` is an explicit transpose when asked (never a transposed GEMM). */
export function matMulExplicit(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  return tf.matMul(ta ? transposeLast2(a) : a, tb ? transposeLast2(b) : b);
}

/**
 * Gradient of `BatchMatMul` for all four transpose combinations, written with explicit
 * transposes (dA = dy·Bᵀ, dB = Aᵀ·dy for the plain case). Same values as the stock gradient.
 */
export const matMulGradConfig: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const {transposeA: ta, transposeB: tb} = attrs as unknown as tf.BatchMatMulAttrs;
    const g = dy as tf.Tensor;
    if (!ta && !tb) return {a: () => matMulExplicit(g, b, false, true), b: () => matMulExplicit(a, g, true, false)};
    if (!ta && tb) return {a: () => matMulExplicit(g, b, false, false), b: () => matMulExplicit(g, a, true, false)};
    if (ta && !tb) return {a: () => matMulExplicit(b, g, false, true), b: () => matMulExplicit(a, g, false, false)};
    return {a: () => matMulExplicit(b, g, true, true), b: () => matMulExplicit(g, a, true, true)};
  },
};
