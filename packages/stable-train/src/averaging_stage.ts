import type * as tf from '@tensorflow/tfjs-core';
import {Ema, ema, Swa, swa, WeightAverager} from '@stable-train/lr-schedule';

/**
 * When the Trainer averages: the average starts as a copy of the weights before step `start`
 * (steps counted from 0, rejected steps included), then takes in the weights after every
 * `every`-th step from there: after steps start + every, start + 2·every, … (counted as steps
 * done). With `start: 0, every: 1` (EMA's default) every step is averaged; for SWA the PyTorch
 * recipe "`swa_start` epochs of plain training, then one update per epoch" is
 * `{kind: 'swa', start: swaStartEpoch · stepsPerEpoch, every: stepsPerEpoch}`.
 */
export interface AveragingWhen {
  /** Step before which the average is initialised from the weights (default 0). */
  start?: number;
  /** Steps between two updates (default 1). */
  every?: number;
  /**
   * Averaged evaluations made by `fit` (its `validation`) first recompute the batch-norm
   * statistics for the averaged weights with one pass over the training data
   * (`updateBatchNormStats`, PyTorch `swa_utils.update_bn`); the live statistics are put back
   * afterwards. Default false: the averaged weights are evaluated with the live statistics.
   */
  updateBatchNorm?: boolean;
}

/**
 * The Trainer's `averaging` option: an EMA of the weights (timm `ModelEmaV2`; lr-schedule's
 * `ema`), stochastic weight averaging (PyTorch `swa_utils.AveragedModel`; lr-schedule's `swa`),
 * or an averager built in code, with {@link AveragingWhen}.
 */
export type AveragingOptions =
  | ({kind: 'ema'; decay?: number; copyOnFirstUpdate?: boolean} & AveragingWhen)
  | ({kind: 'swa'} & AveragingWhen)
  | ({averager: WeightAverager} & AveragingWhen);

/** The JSON part of the averaging state in a checkpoint (the averaged tensors go into the weights). */
export interface AveragingJson {
  kind: string;
  /** Updates folded in (PyTorch `n_averaged`). */
  nAveraged: number;
  /** Steps done at the last update (or at the initialisation). */
  lastUpdate: number;
}

const WHEN = ['start', 'every', 'updateBatchNorm'];

/**
 * The averaging stage of the Trainer: initialises the averager from the trainable weights before
 * step `start`, folds in the weights after each due step that was applied (a step the guard
 * rejected or rolled back folds nothing in; a due update that falls on a rejected step is made
 * at the next applied one), and carries the state checkpoints save. A rollback puts back the
 * weights, not the average: the accepted steps since the snapshot stay in it.
 */
export class AveragingStage {
  readonly averager: WeightAverager;
  /** 'ema', 'swa', or the averager's class name. */
  readonly kind: string;
  readonly start: number;
  readonly every: number;
  readonly updateBatchNorm: boolean;
  /** Steps done at the last update or the initialisation; -1 before the initialisation. */
  lastUpdate = -1;
  private readonly owned: boolean;

  /** @param o the Trainer's `averaging` option, or an averager (start 0, every 1) */
  constructor(o: AveragingOptions | WeightAverager) {
    const fn = 'Trainer: averaging';
    if (o instanceof WeightAverager) o = {averager: o};
    if (o == null || typeof o !== 'object' || Array.isArray(o)) throw new Error(`${fn} must be ema()/swa() or {kind: 'ema' | 'swa', ...}, got ${String(o)}`);
    const kind = (o as {kind?: unknown}).kind;
    const keys = 'averager' in o ? ['averager', ...WHEN] : kind === 'ema' ? ['kind', 'decay', 'copyOnFirstUpdate', ...WHEN] : ['kind', ...WHEN];
    if (!('averager' in o) && kind !== 'ema' && kind !== 'swa') throw new Error(`${fn}.kind must be 'ema' or 'swa', got ${JSON.stringify(kind)}`);
    for (const k of Object.keys(o)) if (!keys.includes(k)) throw new Error(`${fn}: unknown option '${k}' (known: ${keys.join(', ')})`);
    const start = o.start ?? 0;
    if (!(Number.isInteger(start) && start >= 0)) throw new Error(`${fn}.start must be an integer >= 0, got ${String(start)}`);
    const every = o.every ?? 1;
    if (!(Number.isInteger(every) && every >= 1)) throw new Error(`${fn}.every must be an integer >= 1, got ${String(every)}`);
    const ubn = o.updateBatchNorm ?? false;
    if (typeof ubn !== 'boolean') throw new Error(`${fn}.updateBatchNorm must be a boolean, got ${String(ubn)}`);
    if ('averager' in o) {
      if (!(o.averager instanceof WeightAverager)) throw new Error(`${fn}.averager must be lr-schedule's ema() or swa(), got ${String(o.averager)}`);
      this.averager = o.averager;
      this.owned = false;
    } else {
      this.averager = o.kind === 'ema' ? ema({decay: o.decay ?? 0.9999, copyOnFirstUpdate: o.copyOnFirstUpdate ?? false}) : swa();
      this.owned = true;
    }
    const a = this.averager;
    this.kind = a instanceof Ema ? 'ema' : a instanceof Swa ? 'swa' : a.constructor.name;
    this.start = start;
    this.every = every;
    this.updateBatchNorm = ubn;
  }

  /** True once the average holds weights (from step `start` on). */
  get initialized(): boolean {
    return this.lastUpdate >= 0;
  }

  /** 'ema (0.999), 12 updates' */
  describe(): string {
    const d = this.averager instanceof Ema ? ` (decay ${this.averager.decay})` : '';
    return `${this.kind}${d}, ${this.averager.nAveraged} update${this.averager.nAveraged === 1 ? '' : 's'}`;
  }

  /**
   * Called before every step: initialises the average from `params` before step `start`
   * (or, when training resumes past `start` without a saved average, before the first step).
   * @param step the step about to be taken
   * @param params the trainable variables by name
   */
  beforeStep(step: number, params: {[name: string]: tf.Variable}): void {
    if (this.initialized || step < this.start) return;
    this.averager.init(params);
    this.lastUpdate = step;
  }

  /**
   * Called after every applied step: folds `params` in when an update is due.
   * @param done steps done, this one included
   * @param params the trainable variables by name
   */
  afterApplied(done: number, params: {[name: string]: tf.Variable}): void {
    if (!this.initialized) return;
    const slot = (n: number): number => Math.floor((n - this.start) / this.every);
    if (slot(done) <= slot(this.lastUpdate)) return;
    this.averager.update(params);
    this.lastUpdate = done;
  }

  /** The JSON part of the state (null before the initialisation). */
  toJson(): AveragingJson | null {
    return this.initialized ? {kind: this.kind, nAveraged: this.averager.nAveraged, lastUpdate: this.lastUpdate} : null;
  }

  /**
   * Restores a saved state; the tensors are copied (they stay the caller's).
   * @param j what `toJson` wrote
   * @param values the averaged tensors by weight name
   */
  restore(j: AveragingJson, values: tf.NamedTensorMap): void {
    if (!(Number.isInteger(j?.lastUpdate) && j.lastUpdate >= 0)) throw new Error(`restore: invalid averaging state: lastUpdate = ${JSON.stringify(j?.lastUpdate)}`);
    this.averager.setState({nAveraged: j.nAveraged, values});
    this.lastUpdate = j.lastUpdate;
  }

  /** Frees the averaged tensors when the Trainer built the averager (one passed in stays the caller's). */
  dispose(): void {
    if (this.owned) this.averager.dispose();
  }
}
