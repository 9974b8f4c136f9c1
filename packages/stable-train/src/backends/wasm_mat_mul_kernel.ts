// Re-registers the WASM backend's BatchMatMul and _FusedMatMul kernels. Every float32 product
// with a linear/relu/relu6 epilogue runs on stable-train's GEMM (ownGemm below, ./wasm_gemm.ts).
// What follows is the fallback for the rest (PReLU/leaky/sigmoid/elu epilogues, or a runtime
// without WASM SIMD), which makes XNNPACK's GEMM run untransposed.
// tfjs-backend-wasm 4.22 only sends untransposed, unbatched products to
// XNNPACK; any transpose flag drops to a scalar triple loop that is 10-20x slower. Its
// gradients ask for exactly those flags (dA = dy·Bᵀ, dB = Aᵀ·dy), also inside tf.fused.matMul's
// customGrad, which tf.registerGradient cannot replace, so the fix lives in the kernel.
//
// For C = op(A)·op(B), with op(A) m×k and op(B) k×n, two untransposed plans compute the same C:
//   direct:  C = op(A)·op(B)             transposes A if tA, B if tB; XNNPACK packs op(B) (k·n)
//   swapped: C = (op(B)ᵀ·op(A)ᵀ)ᵀ       transposes A if !tA, B if !tB, and C (m·n);
//                                         XNNPACK packs op(A)ᵀ (k·m)
// (the identity (XY)ᵀ = YᵀXᵀ). XNNPACK re-packs its right operand on every call with a new
// tensor, and each pack or transpose is one memory-bound pass, so the plan that moves fewer
// elements wins: for dA = dy·Bᵀ with dy 128×512 and B 512×512 (an MLP's hidden-layer input
// gradient) the swapped plan moves 196k elements instead of 524k and runs in 4.3 ms instead of
// 5.8 ms (tools/bench/backends.ts). Both plans do the same m·n·k multiply-adds in float32 and
// give the same sums up to summation order.
//
// Batched products (batch > 1) never reach XNNPACK in tfjs-backend-wasm either; when each entry
// is big enough (BATCHED_GEMM_SPLIT_MIN_WORK) they run as one unbatched product per entry.
import * as tf from '@tensorflow/tfjs-core';
import {wasmGemmFor} from './wasm_gemm';
import {FUSED_CLAMPS, heapOffset, rewrapWasmKernels, type HeapBackend} from './wasm_kernel_wrap';

const WRAPPED = Symbol.for('stable-train.wasm-untransposed-gemm');

type Info = tf.TensorInfo;

/**
 * Least m·k·n per batch entry for which a batched product is split into unbatched XNNPACK GEMMs
 * (tfjs-backend-wasm runs any batch > 1 as a scalar triple loop). Measured on wasm, split vs
 * stock: [4, 256³] 18.6 vs 160 ms, [8, 128³] 11.9 vs 28.9 ms, [32, 64³] (= 2^18) about even;
 * below that the per-GEMM overhead wins.
 */
export const BATCHED_GEMM_SPLIT_MIN_WORK = 1 << 18;
interface GemmAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
}

/**
 * C = act(op(A)·op(B) + bias) by stable-train's GEMM (./wasm_gemm.ts) straight on the heap:
 * transposes become strides, broadcast batch entries become pointer offsets, bias and
 * linear/relu/relu6 happen in the kernel's epilogue. Null when the product is not one it takes
 * (not float32, PReLU/leaky/sigmoid/elu, a bias other than one per column, empty output).
 */
function ownGemm(args: Parameters<tf.KernelFunc>[0], ta: boolean, tb: boolean): Info | null {
  const backend = args.backend as unknown as HeapBackend;
  const inputs = args.inputs as unknown as {a: Info; b: Info; bias?: Info; preluActivationWeights?: Info};
  const {a, b, bias} = inputs;
  const clamp = FUSED_CLAMPS[(args.attrs as unknown as GemmAttrs).activation ?? 'linear'];
  if (clamp == null || inputs.preluActivationWeights != null || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [m, k, n] = [ta ? ca : ra, ta ? ra : ca, tb ? rb : cb];
  if ((tb ? cb : rb) !== k || m * n === 0) return null;
  if (bias != null && (bias.dtype !== 'float32' || size(bias.shape) !== n)) return null;
  const engine = wasmGemmFor(backend);
  if (engine == null) return null;
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const count = size(outBatch);
  const [na, nb] = [batchOf(a.shape), batchOf(b.shape)];
  if ((na !== 1 && na !== count) || (nb !== 1 && nb !== count)) return null;
  const [pa, pb, pbias] = [heapOffset(backend, a), heapOffset(backend, b), bias ? heapOffset(backend, bias) : 0];
  if (pa === undefined || pb === undefined || pbias === undefined) return null;
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  const pc = heapOffset(backend, out)!;
  for (let i = 0; i < count; i++) {
    engine.run({
      a: pa + (na > 1 ? 4 * i * ra * ca : 0),
      b: pb + (nb > 1 ? 4 * i * rb * cb : 0),
      c: pc + 4 * i * m * n,
      bias: pbias,
      m, n, k,
      ars: ta ? 1 : ca,
      aks: ta ? ca : 1,
      bks: tb ? 1 : cb,
      bjs: tb ? cb : 1,
      crs: n,
      lo: clamp[0],
      hi: clamp[1],
    });
  }
  return out;
}

/**
 * Elements moved by each untransposed plan for `C = op(A)·op(B)` (op(A) m×k, op(B) k×n):
 * explicit transposes plus XNNPACK's packing of the right operand.
 *   direct  = tA·mk + tB·kn + kn
 *   swapped = (1−tA)·mk + (1−tB)·kn + km + mn      (C = (op(B)ᵀ·op(A)ᵀ)ᵀ)
 * The kernel takes the swapped plan only when it is strictly cheaper.
 *
 * ```ts
 * gemmPlanCost(128, 512, 512, false, true); // {direct: 524288, swapped: 196608}: dy·Wᵀ is swapped
 * ```
 */
export function gemmPlanCost(m: number, k: number, n: number, ta: boolean, tb: boolean): {direct: number; swapped: number} {
  const direct = (ta ? m * k : 0) + (tb ? k * n : 0) + k * n;
  const swapped = (ta ? 0 : m * k) + (tb ? 0 : k * n) + k * m + m * n;
  return {direct, swapped};
}

const size = tf.util.sizeFromShape;
const batchOf = (shape: number[]) => size(shape.slice(0, -2));

/** Shapes of a batched product that can run as one unbatched GEMM per batch entry, else null. */
function batchSplit(a: Info, b: Info, m: number, k: number, n: number): {outBatch: number[]; count: number} | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || m * k * n < BATCHED_GEMM_SPLIT_MIN_WORK) return null;
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const count = size(outBatch);
  // each side either has every batch entry, in the output's flat order, or one (broadcast)
  const ok = (x: Info) => batchOf(x.shape) === 1 || batchOf(x.shape) === count;
  return count > 1 && ok(a) && ok(b) ? {outBatch, count} : null;
}

function wrap(orig: tf.KernelConfig, transpose: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const attrs = args.attrs as unknown as GemmAttrs;
    const {transposeA: ta, transposeB: tb} = attrs;
    const own = ownGemm(args, ta, tb);
    if (own != null) return own;
    const inputs = args.inputs as unknown as {a: Info; b: Info; bias?: Info; preluActivationWeights?: Info};
    const backend = args.backend as unknown as HeapBackend;
    const elementwise = inputs.bias == null && inputs.preluActivationWeights == null;
    if (elementwise && (batchOf(inputs.a.shape) > 1 || batchOf(inputs.b.shape) > 1)) {
      const {a, b} = inputs;
      const [ra, ca] = a.shape.slice(-2);
      const [rb, cb] = b.shape.slice(-2);
      const [m, k, n] = [ta ? ca : ra, ta ? ra : ca, tb ? rb : cb];
      const split = batchSplit(a, b, m, k, n);
      if (split) {
        // one unbatched product per batch entry (each through this kernel's 2-D plans), copied
        // into one output; the pieces are contiguous row-major blocks of the inputs
        const owned: Info[] = [];
        const piece = (x: Info, i: number): Info => {
          const [r, c] = x.shape.slice(-2);
          // rank 3 with batch 1: the fused kernel expects the 3-D operands tfjs-core gives it
          if (batchOf(x.shape) === 1) return {dataId: x.dataId, shape: [1, r, c], dtype: x.dtype};
          const out = backend.makeOutput([1, r, c], x.dtype);
          backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(i * r * c, (i + 1) * r * c));
          owned.push(out);
          return out;
        };
        try {
          const cs: Info[] = [];
          for (let i = 0; i < split.count; i++) {
            const c = kernelFunc({...args, inputs: {...args.inputs, a: piece(a, i), b: piece(b, i)}}) as Info;
            owned.push(c);
            cs.push(c);
          }
          const out = backend.makeOutput([...split.outBatch, m, n], 'float32');
          const dst = backend.typedArrayFromHeap(out);
          cs.forEach((c, i) => dst.set(backend.typedArrayFromHeap(c), i * m * n));
          return out;
        } finally {
          for (const x of owned) backend.disposeData(x.dataId);
        }
      }
    }
    if (!ta && !tb) return orig.kernelFunc(args);
    const temps: Info[] = [];
    const t = (x: Info): Info => {
      const out = transpose.kernelFunc({inputs: {x}, backend: args.backend, attrs: {perm: transposePerm(x.shape.length)}}) as Info;
      temps.push(out);
      return out;
    };
    const run = (a: Info, b: Info) =>
      orig.kernelFunc({...args, inputs: {...args.inputs, a, b}, attrs: {...args.attrs, transposeA: false, transposeB: false}}) as Info;
    try {
      const {a, b} = inputs;
      const [ra, ca] = a.shape.slice(-2);
      const [rb, cb] = b.shape.slice(-2);
      const [m, k, n] = [ta ? ca : ra, ta ? ra : ca, tb ? rb : cb];
      // The swap is only sound when the epilogue is elementwise (no per-column bias or PReLU
      // weights) and only useful on XNNPACK's path (no batch): then compare the two plans.
      const unbatched = batchOf(a.shape) === 1 && batchOf(b.shape) === 1;
      const cost = gemmPlanCost(m, k, n, ta, tb);
      if (elementwise && unbatched && cost.swapped < cost.direct) {
        const ct = run(tb ? b : t(b), ta ? a : t(a));
        temps.push(ct);
        return transpose.kernelFunc({inputs: {x: ct}, backend: args.backend, attrs: {perm: transposePerm(ct.shape.length)}}) as Info;
      }
      return run(ta ? t(a) : a, tb ? t(b) : b);
    } finally {
      for (const x of temps) backend.disposeData(x.dataId);
    }
  };
  return Object.assign({...orig, kernelFunc}, {[WRAPPED]: true});
}

function transposePerm(rank: number): number[] {
  return [...Array.from({length: rank - 2}, (_, i) => i), rank - 1, rank - 2];
}

/**
 * Makes the WASM backend's `BatchMatMul` and `_FusedMatMul` kernels run every transposed
 * product as untransposed GEMMs on XNNPACK: either `op(A)·op(B)` after explicit transposes or
 * `(op(B)ᵀ·op(A)ᵀ)ᵀ`, whichever moves fewer elements ({@link gemmPlanCost}). Idempotent; a
 * no-op when the WASM kernels are not registered (tfjs-backend-wasm not loaded).
 *
 * ```ts
 * installWasmUntransposedGemm(); // setupBackend() calls this for you
 * ```
 * @returns the kernel names that were (or already had been) wrapped
 */
export function installWasmUntransposedGemm(): string[] {
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (transpose == null) return [];
  return rewrapWasmKernels([tf.BatchMatMul, tf._FusedMatMul], WRAPPED, (orig) => wrap(orig, transpose));
}
