import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options, positive, show} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link multiStepDecay}. */
export interface MultiStepDecayOptions {
  /** value at step 0, >= 0 */
  initial: number;
  /** steps at which the value is multiplied by gamma; strictly increasing integers >= 1 */
  milestones: number[];
  /** multiplicative factor per milestone, > 0 (PyTorch default 0.1) */
  gamma?: number;
}

/**
 * Decays by `gamma` at each milestone: lr(i) = initial · gamma^(number of milestones m ≤ i).
 *
 * PyTorch `MultiStepLR(milestones, gamma)`; Keras `PiecewiseConstantDecay` with geometric values;
 * Optax `piecewise_constant_schedule`.
 *
 * ```ts
 * const s = multiStepDecay({initial: 0.1, milestones: [30, 80], gamma: 0.1});
 * s(30); // 0.01
 * s(80); // 0.001
 * ```
 * @param opts.initial value at step 0
 * @param opts.milestones strictly increasing steps
 * @param opts.gamma factor applied at each milestone (default 0.1)
 */
export function multiStepDecay(opts: MultiStepDecayOptions): Schedule {
  const fn = 'multiStepDecay';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const gamma = positive(fn, 'gamma', opts.gamma ?? 0.1);
  if (!Array.isArray(opts.milestones)) {
    throw new Error(`multiStepDecay: milestones must be an array of integers, got ${show(opts.milestones)}`);
  }
  const milestones = opts.milestones.map((m, k) => integer(fn, `milestones[${k}]`, m, 1));
  for (let k = 1; k < milestones.length; k++) {
    if (milestones[k] <= milestones[k - 1]) {
      throw new Error(`multiStepDecay: milestones must be strictly increasing, got ${show(milestones)}`);
    }
  }
  return describedSchedule({type: 'multiStep', ...opts}, (step: number) => {
    checkStep(fn, step);
    let n = 0;
    while (n < milestones.length && milestones[n] <= step) n++;
    return initial * gamma ** n;
  });
}
