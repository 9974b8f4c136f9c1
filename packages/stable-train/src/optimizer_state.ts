import * as tf from '@tensorflow/tfjs-core';

/** One piece of optimizer state as `tf.Optimizer.getWeights()` hands it out. */
export interface NamedState {
  name: string;
  tensor: tf.Tensor;
}

/**
 * Copies the state of any `tf.Optimizer` (iterations, moments, ...) into tensors the caller owns.
 * `getWeights()` of the stock optimizers returns their live variables (and a fresh `iter`
 * scalar), so the live ones are cloned and the fresh ones handed over as they are.
 *
 * ```ts
 * const saved = await captureOptimizerState(opt); // later: await restoreOptimizerState(opt, saved)
 * ```
 * @param optimizer any tfjs-core optimizer with `getWeights()`
 * @returns owned copies; dispose them with `tf.dispose(saved.map((s) => s.tensor))`
 */
export async function captureOptimizerState(optimizer: tf.Optimizer): Promise<NamedState[]> {
  if (optimizer == null || typeof optimizer.getWeights !== 'function') {
    throw new Error(`captureOptimizerState: optimizer must be a tf.Optimizer with getWeights(), got ${optimizer}`);
  }
  const ws = await optimizer.getWeights();
  return ws.map((w) => ({name: w.name, tensor: w.tensor instanceof tf.Variable ? tf.clone(w.tensor) : w.tensor}));
}

/**
 * Puts saved state back into an optimizer with `setWeights()` and frees the state variables
 * it replaced (stock tfjs optimizers allocate new variables in `setWeights` and drop the old
 * ones without disposing them). The `saved` tensors stay owned by the caller.
 *
 * ```ts
 * await restoreOptimizerState(opt, saved);
 * ```
 * @param optimizer the optimizer to restore
 * @param saved what `captureOptimizerState` (or a checkpoint) produced
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, saved: NamedState[]): Promise<void> {
  if (!Array.isArray(saved)) throw new Error(`restoreOptimizerState: saved must be an array, got ${typeof saved}`);
  const live = async (): Promise<Set<tf.Tensor>> => {
    const ws = await optimizer.getWeights();
    const s = new Set<tf.Tensor>();
    for (const w of ws) {
      if (w.tensor instanceof tf.Variable) s.add(w.tensor);
      else w.tensor.dispose();
    }
    return s;
  };
  const before = await live();
  // Give the optimizer copies: some implementations keep the tensors they are given.
  const copies = saved.map((w) => ({name: w.name, tensor: tf.clone(w.tensor)}));
  await optimizer.setWeights(copies);
  const after = await live();
  for (const c of copies) if (!after.has(c.tensor)) c.tensor.dispose();
  for (const t of before) if (!after.has(t) && !t.isDisposed) t.dispose();
}
