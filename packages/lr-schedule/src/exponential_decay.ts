import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options, positive} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** value at step 0, >= 0 */
  initial: number;
  /** decay factor per `decaySteps` steps, > 0 */
  gamma: number;
  /** steps per factor gamma, integer >= 1 (default 1 = PyTorch ExponentialLR) */
  decaySteps?: number;
  /** decay in whole multiples of decaySteps (default false) */
  staircase?: boolean;
}

/**
 * Exponential decay: lr(i) = initial · gamma^(i / decaySteps), the exponent floored when
 * `staircase`.
 *
 * PyTorch `ExponentialLR(gamma)` (decaySteps 1); Keras `ExponentialDecay(initial_learning_rate,
 * decay_steps, decay_rate=gamma, staircase)`; Optax `exponential_decay(transition_steps, decay_rate)`.
 *
 * ```ts
 * const s = exponentialDecay({initial: 0.1, gamma: 0.96, decaySteps: 100});
 * s(100); // 0.096
 * ```
 * @param opts.initial value at step 0
 * @param opts.gamma factor per decaySteps
 * @param opts.decaySteps steps per factor gamma (default 1)
 * @param opts.staircase floor the exponent (default false)
 */
export function exponentialDecay(opts: ExponentialDecayOptions): Schedule {
  const fn = 'exponentialDecay';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const gamma = positive(fn, 'gamma', opts.gamma);
  const decaySteps = integer(fn, 'decaySteps', opts.decaySteps ?? 1, 1);
  const staircase = opts.staircase ?? false;
  return describedSchedule({type: 'exponential', ...opts}, (step: number) => {
    const p = checkStep(fn, step) / decaySteps;
    return initial * gamma ** (staircase ? Math.floor(p) : p);
  });
}
