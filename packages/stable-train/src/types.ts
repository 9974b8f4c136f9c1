import type * as tf from '@tensorflow/tfjs-core';
import type {Module as BlocksModule} from '@stable-train/resnet-blocks';

/** Tensors by variable name, as `tf.variableGrads` returns them (tfjs-core's own type). */
export type {NamedTensorMap} from '@tensorflow/tfjs-core';

/**
 * The module shape every layer, block and model follows (DESIGN.md): resnet-blocks' own `Module`,
 * which the Trainer extends in two ways that belong to training, not to the blocks: `apply` may be
 * called without options (inference), and a module may carry non-variable state for checkpoints.
 */
export interface Module extends BlocksModule {
  /** Runs the module; `training` switches batch statistics, dropout and similar. */
  apply(x: tf.Tensor, opts?: {training?: boolean}): tf.Tensor;
  /** Optional non-variable state (for example a spectral-norm `u`), for checkpoints. */
  getState?(): unknown;
  setState?(state: unknown): void;
}

/** One batch: inputs and targets (class ids as int32 `[N]`, one-hot `[N, C]` or regression targets). */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/**
 * A gradient transformation `(grads, params?, ctx?) => grads`: grad-clip's own type (`createClipper`,
 * `chain`, ...). When the guard has measured ‖g‖, the Trainer passes it as `ctx` (`{grads,
 * globalNorm}`, grad-clip's `GradContext`), so a global-norm clipper does not measure it again.
 */
export type {GradTransform} from '@stable-train/grad-clip';

/** A learning-rate schedule: `step` 0 is the first optimisation step (lr-schedule's own type). */
export type {Schedule} from '@stable-train/lr-schedule';

/** A penalty added to the loss (regularizers' own type: `l2(1e-4)` and friends). */
export type {Penalty} from '@stable-train/regularizers';

/**
 * Something applied to the variables after the optimizer update: decoupled weight decay
 * (`p ← p − lr·rate·p`) or a constraint (max-norm, ...). Receives the trainable variables by
 * name and the learning rate of this step.
 */
export type PostUpdate = (params: {[name: string]: tf.Variable}, ctx: {lr: number; step: number}) => void;

/** What the guard found wrong with a step. */
export type GuardCause = 'nonfinite-loss' | 'nonfinite-grad' | 'nonfinite-input' | 'nonfinite-update' | 'loss-spike' | 'grad-spike';

/** What the guard (or the trainer) did about it. */
export type GuardAction = 'skip' | 'rollback' | 'cut-lr' | 'grow-lr' | 'give-up' | 'zeroed' | 'none';

/** An event: every guard action and every notable trainer decision is reported as one. */
export interface TrainerEvent {
  step: number;
  kind: 'guard' | 'checkpoint' | 'data' | 'info';
  cause: GuardCause | string;
  action: GuardAction | string;
  /** Human-readable details (values measured, thresholds). */
  message: string;
}

/** Something with state to keep in checkpoints (ReduceOnPlateau, AutoClip, ...). */
export interface Stateful {
  getState(): unknown;
  setState(state: unknown): void;
}
