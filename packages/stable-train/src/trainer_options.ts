import type * as tf from '@tensorflow/tfjs-core';
import type {WeightAverager} from '@stable-train/lr-schedule';
import type {AveragingOptions} from './averaging_stage';
import type {ExplosionGuard, GuardOptions} from './guard';
import type {LossFn, LossName} from './losses';
import type {StepMetrics} from './step_metrics';
import type {GradTransform, GuardCause, Module, Penalty, PostUpdate, Schedule, Stateful, TrainerEvent} from './types';

/** Options of `Trainer`. */
export interface TrainerOptions {
  model: Module;
  /** Any `tf.Optimizer` (stock tfjs-core or lr-schedule's). */
  optimizer: tf.Optimizer;
  /** Default `'softmax_cross_entropy'`. */
  loss?: LossName | LossFn;
  /**
   * Learning rate per step; absent = the optimizer's own rate (or its own schedule). The lr of a
   * step is `base × guard.lrScale` with base from exactly one of `plateau`, `schedule` or the
   * optimizer: giving two (a schedule and a plateau, or either with a self-scheduled optimizer
   * such as `adam({lr: cosineDecay(...)})`) is an error at construction.
   */
  schedule?: Schedule | number;
  /** Gradient transforms applied in order (clipping, ...). */
  transforms?: GradTransform[];
  /** Terms added to the loss (L1/L2, ...). */
  penalties?: Penalty[];
  /** Decoupled weight decay (regularizers' `decoupledWeightDecay`): `p ← p·(1 − lr·rate)` before the update, as PyTorch AdamW. */
  weightDecay?: {apply(variables: {[name: string]: tf.Variable}, lr: number): unknown};
  /** Constraints (regularizers' `maxNorm`, ...) projected after the update. */
  constraints?: {apply(variables: {[name: string]: tf.Variable}): unknown}[];
  /** Any other function applied after the update and the constraints. */
  postUpdate?: PostUpdate[];
  /**
   * Plateau control (lr-schedule's `ReduceOnPlateau`): when set, lr = plateau.value (× guard
   * scale), stepped by `fit` at the end of each epoch. Its state (when it has getState/setState)
   * is saved in checkpoints even when it is not listed in `stateful`.
   */
  plateau?: {readonly value: number; step(metric: number): number; getState?(): unknown; setState?(s: unknown): void};
  /** Keep at most this many entries in `history`, `guardLog` and `events` (oldest dropped). Default 10000. */
  maxRecords?: number;
  /** Micro-batches per step (gradient accumulation). Default 1. */
  accumulate?: number;
  /** Read metrics back every this many steps (0 = never). Default 10. */
  logEvery?: number;
  /** Per-variable norms in the metrics. Default true. */
  layerMetrics?: boolean;
  guard?: GuardOptions | ExplosionGuard;
  /** Seed of the data order. Default 0. */
  seed?: number;
  /**
   * Weight averaging: an EMA (`{kind: 'ema', decay: 0.999}`, timm `ModelEmaV2`) or SWA
   * (`{kind: 'swa', start, every}`, PyTorch `swa_utils.AveragedModel`) of the trainable weights,
   * or lr-schedule's `ema()`/`swa()` (the Trainer then does not dispose it). The average starts
   * from the weights before step `start` (default 0) and takes in the weights after every
   * `every`-th step from there (default 1) that the guard accepted; it is saved in checkpoints.
   * Evaluate with it through `trainer.evaluate(data, {weights: 'averaged'})`; `fit` evaluates its
   * `validation` with both. See `AveragingOptions`.
   */
  averaging?: AveragingOptions | WeightAverager;
  /** Extra state saved in checkpoints, by key. */
  stateful?: {[key: string]: Stateful};
  onStep?: (m: StepMetrics) => void;
  onEvent?: (e: TrainerEvent) => void;
}

/** One step as the guard saw it (see `Trainer.guardLog`). */
export interface GuardRecord {
  step: number;
  /** Loss of the step (may be non-finite). */
  loss: number;
  /** Global gradient norm before clipping (may be non-finite). */
  gradNorm: number;
  /** Learning rate the step would use (before a cut this step causes). */
  lr: number;
  /** False when the guard rejected the step. */
  ok: boolean;
  cause?: GuardCause;
}

/** What one `step` did. */
export interface StepResult {
  step: number;
  applied: boolean;
  /** The loss when it was read back this step (guard policies 'skip'/'rollback'). */
  loss?: number;
}


/** The numeric options of `TrainerOptions` with their defaults, checked. */
export interface CheckedOptions {
  accumulate: number;
  logEvery: number;
  maxRecords: number;
  seed: number;
}

/**
 * Checks `TrainerOptions` before anything is built: a module model, a `tf.Optimizer`, integer
 * counts, a schedule that is a function or a number >= 0, `stateful` objects with
 * getState/setState. Errors name the option and the value.
 * @param opts the options given to `new Trainer`
 * @returns the numeric options with their defaults
 */
export function checkTrainerOptions(opts: TrainerOptions): CheckedOptions {
  if (!opts || !opts.model || typeof opts.model.apply !== 'function' || !Array.isArray(opts.model.variables)) {
    throw new Error('Trainer: model must be a module with apply(x, {training}) and variables');
  }
  const o: {applyGradients?: unknown; getWeights?: unknown} | null = opts.optimizer ? Object(opts.optimizer) : null;
  if (!o || typeof o.applyGradients !== 'function' || typeof o.getWeights !== 'function') {
    throw new Error(`Trainer: optimizer must be a tf.Optimizer, got ${String(opts.optimizer)}`);
  }
  const accumulate = opts.accumulate ?? 1;
  if (!(Number.isInteger(accumulate) && accumulate >= 1)) throw new Error(`Trainer: accumulate must be an integer >= 1, got ${accumulate}`);
  const logEvery = opts.logEvery ?? 10;
  if (!(Number.isInteger(logEvery) && logEvery >= 0)) throw new Error(`Trainer: logEvery must be an integer >= 0, got ${logEvery}`);
  const sch = opts.schedule;
  if (sch !== undefined && typeof sch !== 'function' && !(Number.isFinite(sch) && sch >= 0)) {
    throw new Error(`Trainer: schedule must be a function of the step or a number >= 0, got ${String(sch)}`);
  }
  const maxRecords = opts.maxRecords ?? 10000;
  if (!(Number.isInteger(maxRecords) && maxRecords >= 1)) throw new Error(`Trainer: maxRecords must be an integer >= 1, got ${maxRecords}`);
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`Trainer: seed must be an integer, got ${seed}`);
  for (const [k, v] of Object.entries(opts.stateful ?? {})) {
    if (!v || typeof v.getState !== 'function' || typeof v.setState !== 'function') throw new Error(`Trainer: stateful.${k} must have getState() and setState(), got ${String(v)}`);
  }
  return {accumulate, logEvery, maxRecords, seed};
}

/**
 * The objects whose state checkpoints keep: `stateful`, plus the plateau under `'#plateau'` when
 * it has getState/setState and is not among them.
 * @param opts the Trainer's options
 */
export function statefulOf(opts: TrainerOptions): {[key: string]: Stateful} {
  const out: {[key: string]: Stateful} = {...(opts.stateful ?? {})};
  const p = opts.plateau;
  if (p && typeof p.getState === 'function' && typeof p.setState === 'function' && !Object.values(out).includes(p as Stateful)) {
    out['#plateau'] = p as Stateful;
  }
  return out;
}
