import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link inverseSqrt}. */
export interface InverseSqrtOptions {
  /** value reached at the end of the warm-up, >= 0 */
  peak: number;
  /** warm-up length, integer >= 1 */
  warmupSteps: number;
}

/**
 * The Transformer ("Noam") schedule: linear warm-up, then decay ∝ 1/√step. With the 1-based
 * step s = i + 1 and W = warmupSteps, lr(i) = peak · min(s / W, √(W / s)); it peaks at s = W.
 * The original form d_model^−0.5 · min(s^−0.5, s · W^−1.5) is this with peak = (d_model · W)^−0.5.
 *
 * Vaswani et al. 2017, "Attention Is All You Need" §5.3, https://arxiv.org/abs/1706.03762;
 * fairseq `inverse_sqrt`; timm/HF `get_inverse_sqrt_schedule`.
 *
 * ```ts
 * const s = inverseSqrt({peak: 1e-3, warmupSteps: 4000});
 * s(3999); // 1e-3
 * s(15999); // 5e-4
 * ```
 * @param opts.peak value at the end of the warm-up
 * @param opts.warmupSteps warm-up length
 */
export function inverseSqrt(opts: InverseSqrtOptions): Schedule {
  const fn = 'inverseSqrt';
  options(fn, opts);
  const peak = nonNegative(fn, 'peak', opts.peak);
  const warmup = integer(fn, 'warmupSteps', opts.warmupSteps, 1);
  return describedSchedule({type: 'inverseSqrt', ...opts}, (step: number) => {
    const s = checkStep(fn, step) + 1;
    return peak * Math.min(s / warmup, Math.sqrt(warmup / s));
  });
}
