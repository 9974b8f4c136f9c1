// Re-registering a WASM kernel with a wrapper around the stock one, once.
import * as tf from '@tensorflow/tfjs-core';

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
