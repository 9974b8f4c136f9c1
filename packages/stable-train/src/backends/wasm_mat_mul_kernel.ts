// Re-registers the WASM backend's BatchMatMul and _FusedMatMul kernels so that a transposed
// operand is first transposed by the Transpose kernel and the GEMM always runs untransposed
// (10-20x faster on tfjs-backend-wasm 4.22). This also covers the gradient of tf.fused.matMul,
// which tfjs-core computes inside a customGrad closure that tf.registerGradient cannot replace.
import * as tf from '@tensorflow/tfjs-core';

const WRAPPED = Symbol.for('stable-train.wasm-untransposed-gemm');

type Info = tf.TensorInfo;
interface WasmBackendLike {
  disposeData(dataId: tf.DataId): boolean;
}

function wrap(orig: tf.KernelConfig, transpose: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const attrs = args.attrs as unknown as {transposeA: boolean; transposeB: boolean};
    if (!attrs.transposeA && !attrs.transposeB) return orig.kernelFunc(args);
    const inputs = args.inputs as unknown as {a: Info; b: Info};
    const temps: Info[] = [];
    const t = (x: Info): Info => {
      const r = x.shape.length;
      const perm = [...Array.from({length: r - 2}, (_, i) => i), r - 1, r - 2];
      const out = transpose.kernelFunc({inputs: {x}, backend: args.backend, attrs: {perm}}) as Info;
      temps.push(out);
      return out;
    };
    const a = attrs.transposeA ? t(inputs.a) : inputs.a;
    const b = attrs.transposeB ? t(inputs.b) : inputs.b;
    try {
      return orig.kernelFunc({
        ...args,
        inputs: {...args.inputs, a, b},
        attrs: {...args.attrs, transposeA: false, transposeB: false},
      });
    } finally {
      for (const x of temps) (args.backend as unknown as WasmBackendLike).disposeData(x.dataId);
    }
  };
  return Object.assign({...orig, kernelFunc}, {[WRAPPED]: true});
}

/**
 * Makes the WASM backend's `BatchMatMul` and `_FusedMatMul` kernels run every transposed
 * product as `Transpose` + an untransposed GEMM. Idempotent; a no-op when the WASM kernels are
 * not registered (tfjs-backend-wasm not loaded).
 *
 * ```ts
 * installWasmUntransposedGemm(); // setupBackend() calls this for you
 * ```
 * @returns the kernel names that were (or already had been) wrapped
 */
export function installWasmUntransposedGemm(): string[] {
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (transpose == null) return [];
  const done: string[] = [];
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const orig = tf.getKernel(name, 'wasm');
    if (orig == null) continue;
    done.push(name);
    if ((orig as unknown as Record<symbol, unknown>)[WRAPPED]) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(wrap(orig, transpose));
  }
  return done;
}
