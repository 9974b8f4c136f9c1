// What stable-train's WASM kernel overrides share: re-registering a stock kernel with a wrapper
// once, the heap offsets of tensors, and the output bounds of the activations the kernels fuse.
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs-backend-wasm 4.22 internals the overrides use (not part of its typed API). */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  dataIdMap: {get(dataId: tf.DataId): {memoryOffset: number | null} | undefined};
}

/** Byte offset of a tensor's buffer in the WASM heap, or undefined when it has none. */
export function heapOffset(backend: HeapBackend, t: tf.TensorInfo): number | undefined {
  const o = backend.dataIdMap.get(t.dataId)?.memoryOffset;
  return typeof o === 'number' ? o : undefined;
}

/** Output bounds [lo, hi] of the fused activations stable-train's kernels apply in their epilogue (others take the stock kernels). */
export const FUSED_CLAMPS: Record<string, [number, number]> = {linear: [-Infinity, Infinity], relu: [0, Infinity], relu6: [0, 6]};

/**
 * For each named kernel registered for 'wasm', replaces it with `wrap(stock)` unless it already
 * carries `marker` (so calling again changes nothing). A no-op for kernels that are not
 * registered (tfjs-backend-wasm not loaded).
 * @param names kernel names
 * @param marker the symbol that marks our wrapper
 * @param wrap builds the replacement from the stock config
 * @returns the names that are (now or already) wrapped
 */
export function rewrapWasmKernels(names: string[], marker: symbol, wrap: (orig: tf.KernelConfig) => tf.KernelConfig): string[] {
  const done: string[] = [];
  for (const name of names) {
    const orig = tf.getKernel(name, 'wasm');
    if (orig == null) continue;
    done.push(name);
    if ((orig as unknown as Record<symbol, unknown>)[marker]) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(Object.assign(wrap(orig), {[marker]: true}));
  }
  return done;
}
