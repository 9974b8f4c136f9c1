import type * as tf from '@tensorflow/tfjs-core';
import {getOptimizerLr, setOptimizerLr} from './optimizer_lr';
import type {Schedule} from './types';

/** A stable-train (lr-schedule) optimizer whose lr is a schedule of its own step. */
interface SelfScheduled {
  readonly lr: Schedule;
  readonly currentLr: number;
  setLearningRate(lr: number | Schedule): void;
}

/** True when the optimizer evaluates its own lr schedule (lr-schedule's `adam({lr: cosineDecay(...)})`). */
export function isSelfScheduled(optimizer: tf.Optimizer): optimizer is tf.Optimizer & SelfScheduled {
  const o: {lr?: unknown} = Object(optimizer);
  return typeof o.lr === 'function';
}

/**
 * Where each step's learning rate comes from. One rule for every combination:
 *
 *   lr(step) = base(step) × guard.lrScale, base = plateau.value | schedule(step) | the optimizer's own lr
 *
 * Exactly one source gives the base: the Trainer's `plateau`, the Trainer's `schedule`, or the
 * optimizer itself (a constant, or its own schedule evaluated at its own step). Giving two is an
 * error at construction. The guard's scale multiplies whichever it is; the lr logged is the lr used.
 */
export class LrPlan {
  private readonly own: (tf.Optimizer & SelfScheduled) | null;
  private readonly baseLr: number;

  /**
   * @param optimizer the Trainer's optimizer
   * @param schedule the Trainer's schedule (a function of the step or a number)
   * @param plateau the Trainer's plateau control
   */
  constructor(
    private readonly optimizer: tf.Optimizer,
    private readonly schedule: Schedule | number | undefined,
    private readonly plateau: {readonly value: number} | undefined,
  ) {
    this.own = isSelfScheduled(optimizer) ? optimizer : null;
    if (schedule !== undefined && plateau) {
      throw new Error('Trainer: schedule and plateau both set the lr; give one of them (a plateau starts from its own initial lr)');
    }
    if (this.own && (schedule !== undefined || plateau)) {
      throw new Error(`Trainer: the optimizer ${optimizer.getClassName()} schedules its own lr; give the schedule to the optimizer or to the Trainer (${schedule !== undefined ? 'schedule' : 'plateau'}), not both`);
    }
    if (this.own && typeof this.own.setLearningRate !== 'function') {
      throw new Error(`Trainer: the optimizer ${optimizer.getClassName()} schedules its own lr but has no setLearningRate(), so the guard cannot scale it`);
    }
    this.baseLr = getOptimizerLr(optimizer);
  }

  /** Whether the Trainer may change this optimizer's lr (NaN base: an optimizer whose rate cannot be read). */
  get controllable(): boolean {
    return this.schedule !== undefined || !!this.plateau || !!this.own || Number.isFinite(this.baseLr);
  }

  /**
   * The lr step `step` uses: base × scale. A schedule that returns anything but a finite number
   * >= 0 is an error naming the step and the value.
   */
  lrAt(step: number, scale: number): number {
    const s = this.schedule;
    let base: number;
    let from: string;
    if (this.plateau) [base, from] = [this.plateau.value, 'the plateau'];
    else if (s === undefined) [base, from] = [this.own ? this.own.currentLr : this.baseLr, 'the optimizer'];
    else if (typeof s === 'number') [base, from] = [s, 'schedule'];
    else [base, from] = [s(step), 'the schedule'];
    if (typeof base !== 'number' || !(Number.isFinite(base) && base >= 0)) {
      if (Number.isNaN(base) && from === 'the optimizer' && !this.own) return NaN; // rate unknown: left alone
      throw new Error(`Trainer: ${from} gave lr ${String(base)} at step ${step}; expected a finite number >= 0`);
    }
    return base * scale;
  }

  /**
   * Makes the optimizer use `lr` for the next update; returns a function that undoes what must be
   * undone after the update (a self-scheduled optimizer gets its schedule back).
   * @param lr the rate from `lrAt`
   * @param scale the guard's lr scale
   */
  apply(lr: number, scale: number): () => void {
    if (!Number.isFinite(lr)) return () => undefined;
    const o = this.own;
    if (o) {
      if (scale === 1) return () => undefined; // the optimizer evaluates its own schedule: same number
      const schedule = o.lr;
      o.setLearningRate(lr);
      return () => o.setLearningRate(schedule);
    }
    if (getOptimizerLr(this.optimizer) !== lr) setOptimizerLr(this.optimizer, lr);
    return () => undefined;
  }
}
