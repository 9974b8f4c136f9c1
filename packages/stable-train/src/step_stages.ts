import * as tf from '@tensorflow/tfjs-core';
import type {GradContext} from '@stable-train/grad-clip';
import {allFiniteScalar} from './compute_grads';
import {readPacked} from './measure';
import type {GradTransform, NamedTensorMap} from './types';

// The stages of one Trainer step, each a small function the Trainer composes:
// forward and loss → gradients (compute_grads.ts) → measure (measure.ts) → guard verdict (guard.ts) →
// transforms → check what will be applied → lr (lr_plan.ts) → update → decay and constraints
// → metrics (step_metrics.ts).

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
