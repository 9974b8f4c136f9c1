import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** value at step 0, >= 0 */
  initial: number;
  /** length of the half cosine, integer >= 1 (PyTorch T_max) */
  decaySteps: number;
  /** value reached at decaySteps, >= 0 (PyTorch eta_min; default 0) */
  final?: number;
  /** keep following the cosine after decaySteps (PyTorch), instead of holding `final` (default false) */
  periodic?: boolean;
}

/**
 * Cosine annealing: lr(i) = final + (initial − final) · (1 + cos(π · i / decaySteps)) / 2.
 *
 * By default i is clamped to decaySteps so the value holds at `final` afterwards (Keras
 * `CosineDecay`, Optax `cosine_decay_schedule`). With `periodic: true` it keeps oscillating with
 * period 2 · decaySteps, exactly as PyTorch `CosineAnnealingLR(T_max, eta_min)` does.
 * Reference: Loshchilov & Hutter 2017, SGDR, https://arxiv.org/abs/1608.03983
 *
 * ```ts
 * const s = cosineDecay({initial: 0.1, decaySteps: 1000, final: 1e-4});
 * s(500); // ≈ 0.05
 * ```
 * @param opts.initial value at step 0
 * @param opts.decaySteps length of the decay
 * @param opts.final value at the end (default 0)
 * @param opts.periodic PyTorch's behaviour after decaySteps (default false)
 */
export function cosineDecay(opts: CosineDecayOptions): Schedule {
  const fn = 'cosineDecay';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const decaySteps = integer(fn, 'decaySteps', opts.decaySteps, 1);
  const final = nonNegative(fn, 'final', opts.final ?? 0);
  const periodic = opts.periodic ?? false;
  return describedSchedule({type: 'cosine', ...opts}, (step: number) => {
    checkStep(fn, step);
    const i = periodic ? step : Math.min(step, decaySteps);
    return final + ((initial - final) * (1 + Math.cos((Math.PI * i) / decaySteps))) / 2;
  });
}
