import * as tf from '@tensorflow/tfjs-core';

/** Below this many elements (or a last axis shorter than `MIN_COLS`) the plain Sum kernel is as fast. */
const MIN_SIZE = 16384;
const MIN_COLS = 32;

/**
 * Σx² of one tensor as a float32 scalar on device, by the fastest form the backend has.
 * tfjs-backend-wasm 4.22's `Sum` kernel is a sequential scalar loop (~1 ns per element, bound
 * by the latency of each float add), 4-5× slower than its XNNPACK element-wise kernels; on
 * WASM a large tensor is therefore reduced as a matrix-vector product `x² · 1` (XNNPACK GEMM,
 * SIMD: about 30 % less time than `sum(square(x))` for a 784×512 gradient), then the short
 * column is summed. Other backends (and small tensors) take `sum(square(x))`. The two forms add
 * in different orders, so they differ in the last bits; the GEMM form is the more accurate one.
 *
 * ```ts
 * const ss = sumOfSquares(grad); // tf.Scalar, nothing read back
 * ```
 * @param x any tensor (cast to float32 when it is not)
 */
export function sumOfSquares(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (x.size === 0) return tf.scalar(0);
    const sq = tf.square(x.dtype === 'float32' ? x : tf.cast(x, 'float32'));
    const cols = x.rank >= 2 ? x.shape[x.rank - 1] : 0;
    if (tf.getBackend() !== 'wasm' || x.size < MIN_SIZE || cols < MIN_COLS) return tf.sum(sq) as tf.Scalar;
    return tf.sum(tf.matMul(tf.reshape(sq, [-1, cols]), tf.ones([cols, 1]))) as tf.Scalar;
  });
}
