import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options, positive} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link polynomialDecay}. */
export interface PolynomialDecayOptions {
  /** value at step 0, >= 0 */
  initial: number;
  /** steps until `final` is reached, integer >= 1 (PyTorch total_iters) */
  decaySteps: number;
  /** exponent, > 0 (default 1 = linear) */
  power?: number;
  /** value from decaySteps on, >= 0 (Keras end_learning_rate; default 0) */
  final?: number;
}

/**
 * Polynomial decay: lr(i) = (initial − final) · (1 − min(i, decaySteps) / decaySteps)^power + final.
 *
 * PyTorch `PolynomialLR(total_iters, power)` (final 0); Keras `PolynomialDecay(cycle=false)`;
 * Optax `polynomial_schedule`.
 *
 * ```ts
 * const s = polynomialDecay({initial: 0.1, decaySteps: 100, power: 2});
 * s(50); // 0.025
 * ```
 * @param opts.initial value at step 0
 * @param opts.decaySteps decay length
 * @param opts.power exponent (default 1)
 * @param opts.final end value (default 0)
 */
export function polynomialDecay(opts: PolynomialDecayOptions): Schedule {
  const fn = 'polynomialDecay';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const decaySteps = integer(fn, 'decaySteps', opts.decaySteps, 1);
  const power = positive(fn, 'power', opts.power ?? 1);
  const final = nonNegative(fn, 'final', opts.final ?? 0);
  return describedSchedule({type: 'polynomial', ...opts}, (step: number) =>
    (initial - final) * (1 - Math.min(checkStep(fn, step), decaySteps) / decaySteps) ** power + final);
}
