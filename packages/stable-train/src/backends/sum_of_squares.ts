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

interface WasmHeapBackend {
  wasm: {HEAPU8: Uint8Array};
  dataIdMap: {get(dataId: tf.DataId): {memoryOffset: number | null} | undefined};
}

/**
 * Σx² of each float32 tensor, computed on the host straight from the WASM heap in one read of
 * each buffer (float64 accumulation: exact finiteness, no overflow), or null when the active
 * backend is not WASM or a tensor is not float32. On WASM this reads each gradient once, where
 * `sum(square(x))` reads it, writes its square and reads that again: a step's one measurement
 * of its gradients costs a third of the memory traffic. It reaches tfjs-backend-wasm 4.22
 * internals (`dataIdMap` with each buffer's `memoryOffset`, and the module's `HEAPU8`), as its
 * own `readSync` does, because tfjs has no public zero-copy view of a tensor's data.
 * @param ts the tensors
 */
export function hostSumsOfSquares(ts: tf.Tensor[]): number[] | null {
  return heapViews(ts)?.map(sumSquaresOf) ?? null;
}

/**
 * Σ(a−b)² of each pair of float32 tensors of the same size, on the host from the WASM heap as
 * `hostSumsOfSquares` (null off WASM): ‖Δw‖² of an update without a device subtraction.
 * @param as the tensors after
 * @param bs the tensors before, same order and sizes
 */
export function hostSumsOfSquaredDifferences(as: tf.Tensor[], bs: tf.Tensor[]): number[] | null {
  const views = heapViews([...as, ...bs]);
  if (!views) return null;
  return as.map((_, i) => {
    const x = views[i];
    const y = views[as.length + i];
    let s0 = 0;
    let s1 = 0;
    const n = x.length - (x.length % 2);
    for (let k = 0; k < n; k += 2) {
      const d0 = x[k] - y[k];
      const d1 = x[k + 1] - y[k + 1];
      s0 += d0 * d0;
      s1 += d1 * d1;
    }
    if (n < x.length) s0 += (x[n] - y[n]) ** 2;
    return s0 + s1;
  });
}

/** Float32Array views of the tensors' WASM heap buffers, or null (not WASM, not float32, no buffer). */
function heapViews(ts: tf.Tensor[]): Float32Array[] | null {
  if (tf.getBackend() !== 'wasm' || ts.some((t) => t.dtype !== 'float32')) return null;
  // tfjs-backend-wasm internals (see hostSumsOfSquares): not part of its typed API
  const b = tf.backend() as unknown as WasmHeapBackend;
  const heap = b.wasm?.HEAPU8;
  if (!heap || typeof b.dataIdMap?.get !== 'function') return null;
  const out: Float32Array[] = [];
  for (const t of ts) {
    const offset = b.dataIdMap.get(t.dataId)?.memoryOffset;
    if (typeof offset !== 'number') return null;
    out.push(new Float32Array(heap.buffer, offset, t.size));
  }
  return out;
}

/** Σa² with four float64 accumulators (independent adds, so the loop is not bound by add latency). */
function sumSquaresOf(a: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length - (a.length % 4);
  for (let i = 0; i < n; i += 4) {
    const x0 = a[i];
    const x1 = a[i + 1];
    const x2 = a[i + 2];
    const x3 = a[i + 3];
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
  }
  for (let i = n; i < a.length; i++) s0 += a[i] * a[i];
  return s0 + s1 + (s2 + s3);
}
