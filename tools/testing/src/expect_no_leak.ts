import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `fn` (sync or async) and fails if `tf.memory().numTensors` grew. Tensors that `fn`
 * returns are disposed first and do not count (pass `{allowed: n}` when `fn` keeps n on purpose).
 * Returns whatever `fn` returned, after disposal of its tensors.
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>, opts: {allowed?: number} = {}): Promise<void> {
  const before = tf.memory().numTensors;
  const result = await fn();
  tf.dispose(result as unknown as tf.TensorContainer);
  const after = tf.memory().numTensors;
  const allowed = opts.allowed ?? 0;
  if (after - before > allowed) {
    throw new Error(`expectNoLeak: ${after - before} tensor(s) leaked (before ${before}, after ${after}, allowed ${allowed})`);
  }
}
