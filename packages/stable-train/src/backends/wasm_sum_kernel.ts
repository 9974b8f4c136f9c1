// tfjs-backend-wasm 4.22 sums over leading axes (a bias gradient: Σ over the batch of dy) by
// transposing the input so the summed axes come last, then a scalar loop per output, all on one
// thread. Summing the rows of a matrix X [rows × cols] is the product 1ᵀ·X with a row of ones, so
// it runs on stable-train's GEMM (./wasm_gemm.ts): no transpose, SIMD, split among the threads.
// Each output is Σ_{p} 1·X[p, j] in increasing p in float32 — the order of the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import {wasmGemmFor} from './wasm_gemm';
import {heapOffset, rewrapWasmKernels, type HeapBackend} from './wasm_kernel_wrap';

const WRAPPED = Symbol.for('stable-train.wasm-gemm-sum');

/** Least number of elements for which a leading-axes Sum goes through the GEMM. */
export const GEMM_SUM_MIN_SIZE = 8192;

/** [rows, cols, r] when `axis` is exactly the leading axes 0..r-1 of `shape` (r < rank), else null. */
export function leadingAxesSplit(shape: number[], axis: number | number[]): [number, number, number] | null {
  const rank = shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  if (axes.length === 0 || axes.length >= rank || axes.some((a, i) => a !== i)) return null;
  const rows = tf.util.sizeFromShape(shape.slice(0, axes.length));
  const cols = tf.util.sizeFromShape(shape.slice(axes.length));
  return [rows, cols, axes.length];
}

function wrap(orig: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const {x} = args.inputs as unknown as {x: tf.TensorInfo};
    const {axis, keepDims} = args.attrs as unknown as {axis: number | number[]; keepDims: boolean};
    const split = x.dtype === 'float32' && x.shape.length >= 2 ? leadingAxesSplit(x.shape, axis) : null;
    if (split == null || split[0] < 2 || split[0] * split[1] < GEMM_SUM_MIN_SIZE) return orig.kernelFunc(args);
    const backend = args.backend as unknown as HeapBackend;
    const engine = wasmGemmFor(backend);
    const px = heapOffset(backend, x);
    if (engine == null || px === undefined) return orig.kernelFunc(args);
    const [rows, cols, r] = split;
    const outShape = keepDims ? [...x.shape.slice(0, r).map(() => 1), ...x.shape.slice(r)] : x.shape.slice(r);
    const out = backend.makeOutput(outShape, 'float32');
    // C [1 × cols] = ones [1 × rows] · X [rows × cols]
    engine.run({a: engine.ones(rows), b: px, c: heapOffset(backend, out)!, bias: 0, m: 1, n: cols, k: rows,
      ars: rows, aks: 1, bks: cols, bjs: 1, crs: cols, lo: -Infinity, hi: Infinity});
    return out;
  };
  return Object.assign({...orig, kernelFunc}, {[WRAPPED]: true});
}

/**
 * Re-registers the WASM `Sum` kernel so that a sum over leading axes (Σ over the batch, as in
 * every bias gradient) of a float32 tensor with at least {@link GEMM_SUM_MIN_SIZE} elements runs
 * as the product 1ᵀ·X on stable-train's GEMM, split among its threads. Other sums take the stock
 * kernel. Idempotent; a no-op when the WASM kernels are not registered.
 *
 * ```ts
 * installWasmGemmSum(); // setupBackend() calls this for you
 * ```
 * @returns `['Sum']` when the WASM kernel is wrapped, else `[]`
 */
export function installWasmGemmSum(): string[] {
  return rewrapWasmKernels([tf.Sum], WRAPPED, wrap);
}
