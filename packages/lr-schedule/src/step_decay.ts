import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options, positive} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** value at step 0, >= 0 */
  initial: number;
  /** number of steps between two decays, integer >= 1 */
  stepSize: number;
  /** multiplicative factor per decay, > 0 (PyTorch default 0.1) */
  gamma?: number;
}

/**
 * Decays by `gamma` every `stepSize` steps: lr(i) = initial · gamma^floor(i / stepSize).
 *
 * PyTorch `StepLR(step_size, gamma)`; Keras `ExponentialDecay(staircase=True)`.
 *
 * ```ts
 * const s = stepDecay({initial: 0.1, stepSize: 30, gamma: 0.1});
 * s(29); // 0.1
 * s(30); // 0.01
 * ```
 * @param opts.initial value at step 0
 * @param opts.stepSize steps between decays
 * @param opts.gamma factor applied at each decay (default 0.1)
 */
export function stepDecay(opts: StepDecayOptions): Schedule {
  const fn = 'stepDecay';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const stepSize = integer(fn, 'stepSize', opts.stepSize, 1);
  const gamma = positive(fn, 'gamma', opts.gamma ?? 0.1);
  return describedSchedule({type: 'step', ...opts}, (step: number) => initial * gamma ** Math.floor(checkStep(fn, step) / stepSize));
}
