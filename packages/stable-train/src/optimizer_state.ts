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
  const out = ws.map((w) => ({name: w.name, tensor: w.tensor instanceof tf.Variable ? tf.clone(w.tensor) : w.tensor}));
  for (const [field, v] of hiddenState(optimizer)) out.push({name: HIDDEN + field, tensor: tf.clone(v)});
  return out;
}

/** Prefix of the state `getWeights()` does not hand out (see `hiddenState`). */
const HIDDEN = '#hidden/';
/**
 * Variables of tfjs-core's stock optimizers that `getWeights()` leaves out and `setWeights()`
 * recomputes instead of restoring: Adam's running β1^t, β2^t products (`accBeta1`, `accBeta2`,
 * rebuilt with `pow`, which differs from the running product in the last bits) and Adamax's
 * `accBeta1` and `iteration`. Saving them makes a restore bit-identical.
 */
const HIDDEN_FIELDS = ['accBeta1', 'accBeta2', 'iteration'] as const;

function hiddenState(optimizer: tf.Optimizer): [string, tf.Variable][] {
  const o: {[k: string]: unknown} = Object(optimizer);
  const out: [string, tf.Variable][] = [];
  for (const f of HIDDEN_FIELDS) {
    const v = Object.prototype.hasOwnProperty.call(o, f) ? o[f] : undefined;
    if (v instanceof tf.Variable && !v.isDisposed) out.push([f, v]);
  }
  return out;
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
  const copies = saved.filter((w) => !w.name.startsWith(HIDDEN)).map((w) => ({name: w.name, tensor: tf.clone(w.tensor)}));
  await optimizer.setWeights(copies);
  const hidden = new Map(hiddenState(optimizer));
  for (const w of saved) {
    if (!w.name.startsWith(HIDDEN)) continue;
    const v = hidden.get(w.name.slice(HIDDEN.length));
    if (!v) throw new Error(`restoreOptimizerState: saved state ${w.name} does not belong to ${optimizer.getClassName()}`);
    if (v.shape.join(',') !== w.tensor.shape.join(',') || v.dtype !== w.tensor.dtype) {
      throw new Error(`restoreOptimizerState: saved ${w.name} has shape [${w.tensor.shape}] ${w.tensor.dtype}, the optimizer's has [${v.shape}] ${v.dtype}`);
    }
    v.assign(w.tensor);
  }
  const after = await live();
  for (const c of copies) if (!after.has(c.tensor)) c.tensor.dispose();
  for (const t of before) if (!after.has(t) && !t.isDisposed) t.dispose();
}
