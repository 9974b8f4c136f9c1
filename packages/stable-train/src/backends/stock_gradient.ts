// tfjs-core's own gradients for the kernels whose gradients stable-train overrides, kept so the
// overrides can fall back to them (NCHW convs, gather with batchDims, the matMul products). They
// are read from tfjs-core's gradient registry (public API) just before the overrides replace
// them, instead of deep-importing `@tensorflow/tfjs-core/dist/gradients/*` (which Node cannot
// load, and which would put a second copy of tfjs-core code into our dist files).
import * as tf from '@tensorflow/tfjs-core';

const stock = new Map<string, tf.GradConfig>();

/**
 * Remembers the gradient registered now for `ours.kernelName` as the stock one, unless it is one
 * of ours (`isOurs`), so calling registerTrainingKernels twice keeps the real stock gradient.
 * @param ours the override about to be registered
 * @param isOurs true for configs that stable-train registered
 */
export function captureStockGradient(ours: tf.GradConfig, isOurs: (g: tf.GradConfig) => boolean): void {
  const current = tf.getGradient(ours.kernelName);
  if (current != null && !isOurs(current)) stock.set(ours.kernelName, current);
}

/**
 * tfjs-core's own gradient for `kernelName`, as captured by {@link captureStockGradient}.
 * @param kernelName a kernel name such as `'BatchMatMul'`
 * @throws when tfjs-core's gradients were not registered before registerTrainingKernels ran
 */
export function stockGradient(kernelName: string): tf.GradConfig {
  const g = stock.get(kernelName);
  if (g == null) {
    throw new Error(`stable-train: tfjs-core's own ${kernelName} gradient was not registered when registerTrainingKernels ran; ` +
      `call setupBackend() (or import '@tensorflow/tfjs') first`);
  }
  return g;
}
