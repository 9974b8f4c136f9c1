import type {Schedule} from './schedule';
import {checkStep, inRange, integer, knownOptions, nonNegative} from './validate';

/** Options of {@link constantFactor}; defaults are PyTorch's. */
export interface ConstantFactorOptions {
  /** value from step totalIters on, >= 0 */
  initial: number;
  /** multiplier of the first totalIters steps, in [0, 1] (default 1/3) */
  factor?: number;
  /** number of scaled steps, integer >= 0 (default 5) */
  totalIters?: number;
}

/**
 * A constant factor for the first steps: lr(i) = initial·factor for i < totalIters, then
 * initial.
 *
 * PyTorch `ConstantLR(factor, total_iters)` (PyTorch divides by factor at i = totalIters, which
 * may leave it 1 ulp off initial; this returns initial exactly); Keras/Optax: none (Optax
 * `piecewise_constant_schedule`).
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ConstantLR.html
 *
 * ```ts
 * const s = constantFactor({initial: 0.1, factor: 0.5, totalIters: 3});
 * console.log(s(2), s(3)); // 0.05 0.1
 * ```
 * @param opts.initial value after the scaled steps
 * @param opts.factor multiplier of the first steps (default 1/3)
 * @param opts.totalIters number of scaled steps (default 5)
 */
export function constantFactor(opts: ConstantFactorOptions): Schedule {
  const fn = 'constantFactor';
  knownOptions(fn, opts, ['initial', 'factor', 'totalIters']);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const factor = inRange(fn, 'factor', opts.factor ?? 1 / 3, 0, 1);
  const totalIters = integer(fn, 'totalIters', opts.totalIters ?? 5, 0);
  return (step: number) => (checkStep(fn, step) < totalIters ? initial * factor : initial);
}
