import * as tf from '@tensorflow/tfjs-core';
import {heapOffset, type HeapBackend} from './wasm_kernel_wrap';

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

interface WasmHeapBackend extends HeapBackend {
  wasm: {HEAPU8: Uint8Array; asm?: {memory?: unknown}; wasmMemory?: unknown};
}

// A 266-byte WebAssembly SIMD kernel, assembled by hand from this text, that reads the tfjs
// module's own memory (imported), so Σx² of a heap buffer runs at SIMD speed with float64
// accumulators (about 3× faster than the JavaScript loop below, which stays as the fallback):
//
// (module
//   (import "env" "memory" (memory 0))   ;; the threaded build's shared memory: (memory 0 65536 shared)
//   (func (export "ss") (param $p i32) (param $n i32) (result f64)   ;; $n: a multiple of 8 floats
//     (local $end i32) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
//     (local $v v128) (local $w v128) (local $t v128)
//     (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
//     (block (br_if 0 (i32.eqz (local.get $n)))
//       (loop
//         (local.set $v (v128.load align=4 (local.get $p)))
//         (local.set $w (v128.load offset=16 align=4 (local.get $p)))
//         ;; $a += promote_low($v)², $b += promote_low(high half of $v)², $c and $d likewise for $w
//         (local.set $a (f64x2.add (f64x2.mul (local.tee $t (f64x2.promote_low_f32x4 (local.get $v))) (local.get $t)) (local.get $a)))
//         (local.set $b (f64x2.add (f64x2.mul (local.tee $t (f64x2.promote_low_f32x4
//           (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))) (local.get $t)) (local.get $b)))
//         ... the same for $w into $c and $d ...
//         (br_if 0 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 32))) (local.get $end)))))
//     ;; a0 + a1 + b0 + b1 + c0 + c1 + d0 + d1, left to right
//     (f64.add ... (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a)) ...)))
const SIMD_SS = {
  plain: '0061736d0100000001070160027f7f017c020f0103656e76066d656d6f72790200000302010007060102737300000ad90101d60102017f077b200020014102746a210202402001450d0003402000fd00020021072000fd00021021082007fd5f22092009fdf2012003fdf001210320072007fd0d08090a0b0c0d0e0f08090a0b0c0d0e0ffd5f22092009fdf2012004fdf00121042008fd5f22092009fdf2012005fdf001210520082008fd0d08090a0b0c0d0e0f08090a0b0c0d0e0ffd5f22092009fdf2012006fdf0012106200041206a22002002490d000b0b2003fd21002003fd2101a02004fd2100a02004fd2101a02005fd2100a02005fd2101a02006fd2100a02006fd2101a00b',
  shared: '0061736d0100000001070160027f7f017c02120103656e76066d656d6f72790203008080040302010007060102737300000ad90101d60102017f077b200020014102746a210202402001450d0003402000fd00020021072000fd00021021082007fd5f22092009fdf2012003fdf001210320072007fd0d08090a0b0c0d0e0f08090a0b0c0d0e0ffd5f22092009fdf2012004fdf00121042008fd5f22092009fdf2012005fdf001210520082008fd0d08090a0b0c0d0e0f08090a0b0c0d0e0ffd5f22092009fdf2012006fdf0012106200041206a22002002490d000b0b2003fd21002003fd2101a02004fd2100a02004fd2101a02005fd2100a02005fd2101a02006fd2100a02006fd2101a00b',
};

type SumKernel = (byteOffset: number, count: number) => number;
const kernels = new WeakMap<object, SumKernel | null>();

/** The SIMD kernel instantiated on the backend's memory (once per memory), or null when it cannot be. */
function simdKernel(b: WasmHeapBackend): SumKernel | null {
  const mem = b.wasm.asm?.memory ?? b.wasm.wasmMemory;
  if (typeof WebAssembly === 'undefined' || !(mem instanceof WebAssembly.Memory)) return null;
  if (kernels.has(mem)) return kernels.get(mem)!;
  let kernel: SumKernel | null = null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && mem.buffer instanceof SharedArrayBuffer;
    const hex = shared ? SIMD_SS.shared : SIMD_SS.plain;
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {env: {memory: mem}});
    kernel = instance.exports.ss as SumKernel;
  } catch {
    kernel = null; // no WebAssembly SIMD here: the JavaScript loop does it
  }
  kernels.set(mem, kernel);
  return kernel;
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
  const views = heapViews(ts);
  if (!views) return null;
  const kernel = simdKernel(tf.backend() as unknown as WasmHeapBackend);
  return views.map((v) => {
    if (!kernel) return sumSquaresOf(v);
    const n8 = v.length - (v.length % 8);
    return kernel(v.byteOffset, n8) + sumSquaresOf(v.subarray(n8));
  });
}

/** How `hostSumsOfSquares` sums on this backend: 'simd' (the kernel above), 'js' (the loop) or null (not WASM). */
export function hostSumPath(): 'simd' | 'js' | null {
  if (tf.getBackend() !== 'wasm') return null;
  return simdKernel(tf.backend() as unknown as WasmHeapBackend) ? 'simd' : 'js';
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
    const offset = heapOffset(b, t);
    if (offset === undefined) return null;
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
