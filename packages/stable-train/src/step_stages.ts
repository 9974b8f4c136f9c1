import * as tf from '@tensorflow/tfjs-core';
import {globalNorm, type GradContext} from '@stable-train/grad-clip';
import {allFiniteScalar, safeGlobalNorm, type GradResult} from './compute_grads';
import type {StepStats} from './guard';
import type {GradTransform, NamedTensorMap} from './types';

// The stages of one Trainer step, each a small function the Trainer composes:
// forward and loss → gradients (compute_grads.ts) → measure → guard verdict (guard.ts) →
// transforms → check what will be applied → lr (lr_plan.ts) → update → decay and constraints
// → metrics (step_metrics.ts).

/** What `measure` read back: the guard's statistics, and ‖g‖ on device for the transforms. */
export interface Measured {
  stats: StepStats;
  /** `{grads, globalNorm}` for the transforms (the norm is disposed with the step), or undefined. */
  ctx?: GradContext;
}

/**
 * Reads the numbers the guard needs in one host read. Policies 'skip'/'rollback': loss, ‖g‖
 * (measured once, handed to the transforms) and input finiteness; only when ‖g‖ is not finite
 * is a second read made (an all-finite flag and a scaled norm: finite gradients whose Σg²
 * overflows float32 are a spike, not NaN). 'zero': loss and one all-finite flag. 'off': the loss.
 * @param policy the guard's policy
 * @param r the step's loss, gradients and input flag
 * @param owned receives tensors made here that live until the end of the step
 */
export async function measure(policy: string, r: GradResult, owned: Set<tf.Tensor>): Promise<Measured> {
  if (policy === 'skip' || policy === 'rollback') {
    const ctx: GradContext = {grads: r.grads, globalNorm: globalNorm(r.grads)};
    owned.add(ctx.globalNorm);
    const s = await readPacked(() => tf.stack([tf.cast(r.loss, 'float32'), ctx.globalNorm, r.inputFinite]));
    let gradNorm = s[1];
    let gradFinite = true;
    if (!Number.isFinite(gradNorm)) {
      const g = Object.values(r.grads);
      const d = await readPacked(() => tf.stack([allFiniteScalar(g), safeGlobalNorm(g)]));
      gradFinite = d[0] === 1;
      if (gradFinite) gradNorm = d[1];
    }
    return {stats: {loss: s[0], gradNorm, inputFinite: s[2] === 1, gradFinite}, ctx};
  }
  if (policy === 'zero') {
    const s = await readPacked(() => tf.stack([tf.cast(r.loss, 'float32'), allFiniteScalar(Object.values(r.grads)), r.inputFinite]));
    // 'zero' looks for non-finite values only: the norm is not measured (NaN stands for "not known")
    return {stats: {loss: s[0], gradNorm: s[1] === 1 ? 0 : NaN, inputFinite: s[2] === 1, gradFinite: s[1] === 1}};
  }
  const s = await readPacked(() => tf.cast(r.loss, 'float32'));
  return {stats: {loss: s[0], gradNorm: NaN, inputFinite: true, gradFinite: true}};
}

/**
 * Runs the gradient transforms in order; every tensor they return joins `owned` (freed at the
 * end of the step, transforms may pass tensors through).
 * @param grads gradients
 * @param transforms the Trainer's transforms
 * @param params trainable variables by name
 * @param ctx the measured ‖g‖ of `grads`, if any
 * @param owned tensors freed at the end of the step
 */
export function applyTransforms(grads: NamedTensorMap, transforms: GradTransform[], params: NamedTensorMap, ctx: GradContext | undefined, owned: Set<tf.Tensor>): NamedTensorMap {
  let out = grads;
  for (const t of transforms) {
    out = t(out, params, out === grads ? ctx : undefined);
    if (out == null || typeof out !== 'object') throw new Error(`Trainer: a gradient transform returned ${String(out)} instead of a map of gradients`);
    for (const g of Object.values(out)) owned.add(g);
  }
  return out;
}

/** grad-clip modes whose output is finite whenever their input gradients are (they only scale or clamp). */
const FINITE_MODES = new Set(['value', 'norm', 'globalNorm', 'perParam']);

/**
 * True when every transform is a grad-clip clipper (`createClipper`/`chain`, which carry their
 * `config`) of a mode that maps finite gradients to finite gradients: the second finiteness check
 * is then known to pass and its read is skipped. Any other transform is checked.
 * @param transforms the Trainer's transforms
 */
export function preservesFinite(transforms: GradTransform[]): boolean {
  return transforms.every((t) => Array.isArray(t.config) && t.config.length > 0 && t.config.every((c) => c != null && FINITE_MODES.has(c.mode)));
}

/**
 * The second finiteness check: true when every value that will be applied is finite (one read).
 * @param update what the optimizer would receive
 */
export async function updateIsFinite(update: NamedTensorMap): Promise<boolean> {
  const d = await readPacked(() => allFiniteScalar(Object.values(update)));
  return d[0] === 1;
}

/**
 * Applies one update: decoupled weight decay, the optimizer, constraints and post-update hooks,
 * in that order. Only called for steps the guard accepted.
 */
export function applyUpdate(
  o: {
    optimizer: tf.Optimizer;
    weightDecay?: {apply(variables: {[name: string]: tf.Variable}, lr: number): unknown};
    constraints?: {apply(variables: {[name: string]: tf.Variable}): unknown}[];
    postUpdate?: ((params: {[name: string]: tf.Variable}, ctx: {lr: number; step: number}) => void)[];
  },
  update: NamedTensorMap,
  params: {[name: string]: tf.Variable},
  lr: number,
  step: number,
): void {
  o.weightDecay?.apply(params, lr);
  o.optimizer.applyGradients(update);
  for (const c of o.constraints ?? []) c.apply(params);
  for (const p of o.postUpdate ?? []) p(params, {lr, step});
}

async function readPacked(make: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(make);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}
