import type {Schedule} from './schedule';
import {inRange, integer, nonNegative, oneOf, options, positive, show} from './validate';

/** Options of {@link ReduceOnPlateau}; defaults are PyTorch's. */
export interface ReduceOnPlateauOptions {
  /** starting value, > 0 */
  initial: number;
  /** 'min' (default): lower metric is better; 'max': higher is better */
  mode?: 'min' | 'max';
  /** value ← max(value · factor, minValue) on a plateau, in (0, 1) (default 0.1) */
  factor?: number;
  /** bad steps tolerated before reducing, integer >= 0 (default 10) */
  patience?: number;
  /** minimum improvement, >= 0 (default 1e-4) */
  threshold?: number;
  /** 'rel' (default): relative to best; 'abs': absolute */
  thresholdMode?: 'rel' | 'abs';
  /** steps to wait after a reduction before counting bad steps again, integer >= 0 (default 0) */
  cooldown?: number;
  /** lower bound of the value, >= 0 (default 0) */
  minValue?: number;
  /** reductions smaller than this are skipped, >= 0 (default 1e-8) */
  eps?: number;
}

/** Checkpointable state of a {@link ReduceOnPlateau}. */
export interface ReduceOnPlateauState {
  value: number;
  best: number;
  numBadSteps: number;
  cooldownCounter: number;
  numReductions: number;
}

/**
 * Cuts the value by `factor` when a metric stops improving. Improvement: min/rel
 * metric < best·(1 − threshold); min/abs metric < best − threshold; max/rel
 * metric > best·(1 + threshold); max/abs metric > best + threshold. Bad steps are counted while
 * not improving (forced to 0 during cooldown); when they exceed `patience` the value becomes
 * max(value·factor, minValue) — only if that changes it by more than `eps` — then the cooldown
 * starts. A NaN metric counts as not improving, as in PyTorch.
 *
 * PyTorch `ReduceLROnPlateau`; Keras `callbacks.ReduceLROnPlateau` (min_delta = abs threshold).
 *
 * ```ts
 * const plateau = new ReduceOnPlateau({initial: 0.1, patience: 5, factor: 0.5});
 * const opt = adam({lr: plateau.schedule});
 * // after each epoch (the metric is a plain number you already read back):
 * plateau.step(valLoss);
 * ```
 */
export class ReduceOnPlateau {
  private readonly mode: 'min' | 'max';
  private readonly factor: number;
  private readonly patience: number;
  private readonly threshold: number;
  private readonly thresholdMode: 'rel' | 'abs';
  private readonly cooldown: number;
  private readonly minValue: number;
  private readonly eps: number;
  private state: ReduceOnPlateauState;

  /** @param opts see {@link ReduceOnPlateauOptions} */
  constructor(opts: ReduceOnPlateauOptions) {
    const fn = 'ReduceOnPlateau';
    options(fn, opts);
    const initial = positive(fn, 'initial', opts.initial);
    this.mode = oneOf(fn, 'mode', opts.mode ?? 'min', ['min', 'max'] as const);
    this.factor = inRange(fn, 'factor', opts.factor ?? 0.1, 0, 1, true);
    if (this.factor === 0) throw new Error(`${fn}: factor must be a number in (0, 1), got 0`);
    this.patience = integer(fn, 'patience', opts.patience ?? 10, 0);
    this.threshold = nonNegative(fn, 'threshold', opts.threshold ?? 1e-4);
    this.thresholdMode = oneOf(fn, 'thresholdMode', opts.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    this.cooldown = integer(fn, 'cooldown', opts.cooldown ?? 0, 0);
    this.minValue = nonNegative(fn, 'minValue', opts.minValue ?? 0);
    this.eps = nonNegative(fn, 'eps', opts.eps ?? 1e-8);
    const best = this.mode === 'min' ? Infinity : -Infinity;
    this.state = {value: initial, best, numBadSteps: 0, cooldownCounter: 0, numReductions: 0};
  }

  /** The current value (the lr to use for the next step). */
  get value(): number {
    return this.state.value;
  }

  /** A {@link Schedule} view that returns the current value whatever the step (pass as `lr`). */
  get schedule(): Schedule {
    return () => this.state.value;
  }

  /**
   * Reports the metric of the step (or epoch) that just ended and returns the value to use next.
   * @param metric the monitored quantity as a plain number (NaN counts as no improvement)
   */
  step(metric: number): number {
    if (typeof metric !== 'number') {
      throw new Error(`ReduceOnPlateau.step: metric must be a number, got ${show(metric)}`);
    }
    const s = this.state;
    if (this.isBetter(metric, s.best)) {
      s.best = metric;
      s.numBadSteps = 0;
    } else {
      s.numBadSteps += 1;
    }
    if (s.cooldownCounter > 0) {
      s.cooldownCounter -= 1;
      s.numBadSteps = 0;
    }
    if (s.numBadSteps > this.patience) {
      const next = Math.max(s.value * this.factor, this.minValue);
      if (s.value - next > this.eps) {
        s.value = next;
        s.numReductions += 1;
      }
      s.cooldownCounter = this.cooldown;
      s.numBadSteps = 0;
    }
    return s.value;
  }

  /** A copy of the state, for checkpoints. */
  getState(): ReduceOnPlateauState {
    return {...this.state};
  }

  /** Restores a state returned by {@link getState}. */
  setState(state: ReduceOnPlateauState): void {
    const fn = 'ReduceOnPlateau.setState';
    options(fn, state);
    positive(fn, 'value', state.value);
    if (typeof state.best !== 'number') throw new Error(`${fn}: best must be a number, got ${show(state.best)}`);
    integer(fn, 'numBadSteps', state.numBadSteps, 0);
    integer(fn, 'cooldownCounter', state.cooldownCounter, 0);
    integer(fn, 'numReductions', state.numReductions, 0);
    this.state = {...state};
  }

  private isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }
}
