import type {Schedule} from './schedule';
import {checkStep, knownOptions, nonNegative, show} from './validate';

/** Options of {@link chainedSchedule}. */
export interface ChainedScheduleOptions {
  /** the base value, >= 0 */
  initial: number;
  /** factor schedules, each built with `initial: 1`; at least one */
  schedules: Schedule[];
}

/**
 * Multiplies schedules: lr(i) = initial · Π_k schedules[k](i), each schedule built with
 * `initial: 1` so that it gives a factor (all of them see the same step).
 *
 * PyTorch `ChainedScheduler([...])` (all schedulers step together on one optimizer, each
 * multiplying the lr); Optax: none (`chain` composes transformations, not schedules).
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html
 *
 * ```ts
 * const s = chainedSchedule({initial: 0.1, schedules: [
 *   constantFactor({initial: 1, factor: 0.5, totalIters: 3}),
 *   exponentialDecay({initial: 1, gamma: 0.97}),
 * ]});
 * console.log(s(1)); // 0.0485
 * ```
 * @param opts.initial base value
 * @param opts.schedules factor schedules (built with initial 1)
 */
export function chainedSchedule(opts: ChainedScheduleOptions): Schedule {
  const fn = 'chainedSchedule';
  knownOptions(fn, opts, ['initial', 'schedules']);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const {schedules} = opts;
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((s) => typeof s !== 'function')) {
    throw new Error(`${fn}: schedules must be a non-empty array of schedule functions, got ${show(schedules)}`);
  }
  const parts = schedules.slice();
  return (step: number) => {
    checkStep(fn, step);
    let v = initial;
    for (const s of parts) v *= s(step);
    return v;
  };
}
