// With the GEMM pool holding the threads (setupBackend threadPool 'gemm'), tfjs-backend-wasm's
// XNNPACK runs on one thread, element-wise ops included. The largest element-wise ops of a
// training step — the optimizer's w + (−lr)·g over every weight, the bias add over the batch, the
// ReLU gradient's product — are split among the pool's threads here (./wasm_gemm.ts `ew`): float32
// add / sub / mul, IEEE like XNNPACK's, so the values are the same bits.
import * as tf from '@tensorflow/tfjs-core';
import {heapOffset, rewrapWasmKernels, type HeapBackend} from './wasm_kernel_wrap';
import {ELEMENTWISE_PARALLEL_MIN_SIZE, type ElementwiseJob, wasmGemmFor} from './wasm_gemm';

const WRAPPED = Symbol.for('stable-train.wasm-pool-elementwise');
const OPS: Record<string, 0 | 1 | 2> = {[tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2};

type Info = tf.TensorInfo;
const size = tf.util.sizeFromShape;
const withoutLeadingOnes = (shape: number[]) => shape.slice(Math.max(0, shape.findIndex((d) => d !== 1)));

/** True when `x` (leading 1s aside) is the trailing part of `out`: a row broadcast over the leading axes. */
function isSuffix(x: number[], out: number[]): boolean {
  const s = withoutLeadingOnes(x);
  return s.length <= out.length && s.every((d, i) => d === out[out.length - s.length + i]);
}

/**
 * How `a op b` (float32, output `out`) maps onto the pool's element-wise kernel, or null when it
 * does not (other broadcasts): same shape, a scalar operand, or a row vector broadcast over rows.
 */
export function elementwisePlan(a: number[], b: number[], out: number[]): Omit<ElementwiseJob, 'op' | 'a' | 'b' | 'c'> | null {
  const n = size(out);
  const [na, nb] = [size(a), size(b)];
  if (na === n && nb === n) return {acs: 1, bcs: 1, total: n, cols: 0, ars: 0, brs: 0};
  if (na === n && nb === 1) return {acs: 1, bcs: 0, total: n, cols: 0, ars: 0, brs: 0};
  if (na === 1 && nb === n) return {acs: 0, bcs: 1, total: n, cols: 0, ars: 0, brs: 0};
  if (na === n && nb > 0 && isSuffix(b, out)) return {acs: 1, bcs: 1, total: n / nb, cols: nb, ars: nb, brs: 0};
  if (nb === n && na > 0 && isSuffix(a, out)) return {acs: 1, bcs: 1, total: n / na, cols: na, ars: 0, brs: na};
  return null;
}

function wrap(orig: tf.KernelConfig): tf.KernelConfig {
  const op = OPS[orig.kernelName];
  const kernelFunc: tf.KernelFunc = (args) => {
    const {a, b} = args.inputs as unknown as {a: Info; b: Info};
    const backend = args.backend as unknown as HeapBackend;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return orig.kernelFunc(args);
    const engine = wasmGemmFor(backend);
    if (engine == null || engine.threads < 2) return orig.kernelFunc(args);
    const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (size(out) < ELEMENTWISE_PARALLEL_MIN_SIZE) return orig.kernelFunc(args);
    const plan = elementwisePlan(a.shape, b.shape, out);
    const [pa, pb] = [heapOffset(backend, a), heapOffset(backend, b)];
    if (plan == null || pa === undefined || pb === undefined) return orig.kernelFunc(args);
    const y = backend.makeOutput(out, 'float32');
    engine.runElementwise({...plan, op, a: pa, b: pb, c: heapOffset(backend, y)!});
    return y;
  };
  return Object.assign({...orig, kernelFunc}, {[WRAPPED]: true});
}

/**
 * Re-registers the WASM `Add`, `Sub` and `Multiply` kernels so that large float32 ops (at least
 * {@link ELEMENTWISE_PARALLEL_MIN_SIZE} elements; same shape, a scalar, or a row broadcast) run
 * split among the GEMM pool's threads when it has more than one. Other cases take the stock
 * XNNPACK kernels. Same bits either way (IEEE float32). Idempotent; a no-op without WASM kernels.
 *
 * ```ts
 * installWasmPoolElementwise(); // setupBackend() calls this for you
 * ```
 * @returns the kernel names wrapped
 */
export function installWasmPoolElementwise(): string[] {
  return rewrapWasmKernels(Object.keys(OPS), WRAPPED, wrap);
}
