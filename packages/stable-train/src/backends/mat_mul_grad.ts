// Gradient of BatchMatMul (tf.matMul) that also handles broadcast batch dimensions.
import * as tf from '@tensorflow/tfjs-core';
import {stockGradient} from './stock_gradient';

/** `g` summed over the axes along which `shape` was broadcast to `g.shape`, then given `shape`. */
function unbroadcast(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

/**
 * Gradient of `BatchMatMul`: tfjs-core's own (for C = op(A)·op(B), dA = dC·op(B)ᵀ and
 * dB = op(A)ᵀ·dC per transpose flag), then summed over every batch axis that was broadcast, so a
 * `[B, m, k] · [k, n]` product (PyTorch's `x @ W`) gives W a `[k, n]` gradient. tfjs-core 4.22
 * alone returns the broadcast `[B, k, n]` and the tape rejects it ("The gradient of input 'b' has
 * shape '2,64,64', which does not match ... '64,64'"). The transposed products run natively on
 * cpu / WebGL, and untransposed on WASM through `installWasmUntransposedGemm`.
 */
export const matMulGradConfig: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const g = stockGradient(tf.BatchMatMul).gradFunc(dy, saved, attrs);
    return {a: () => unbroadcast(g.a(), a.shape), b: () => unbroadcast(g.b(), b.shape)};
  },
};
