import type {Schedule} from './schedule';
import {checkStep, knownOptions, nonNegative, show} from './validate';

/** Options of {@link multiplicative}. */
export interface MultiplicativeOptions {
  /** value at step 0, >= 0 */
  initial: number;
  /** factor applied at each step, >= 0, or a function of the step k = 1, 2, … giving it */
  factor: number | ((step: number) => number);
}

/**
 * Multiplies the value by a factor at every step: lr(0) = initial,
 * lr(i) = lr(i−1) · factor(i) (a constant factor f gives initial·f^i, computed as the same
 * recursive product PyTorch forms). Fractional steps use ⌊step⌋.
 *
 * PyTorch `MultiplicativeLR(lr_lambda)` (the lambda called with the epoch 1, 2, … after each
 * `step()`); Keras/Optax: none (Optax `exponential_decay` for a constant factor).
 * https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiplicativeLR.html
 *
 * ```ts
 * const s = multiplicative({initial: 0.1, factor: 0.95});
 * console.log(s(2)); // 0.09025
 * ```
 * @param opts.initial value at step 0
 * @param opts.factor constant factor, or factor(k) for step k >= 1
 */
export function multiplicative(opts: MultiplicativeOptions): Schedule {
  const fn = 'multiplicative';
  knownOptions(fn, opts, ['initial', 'factor']);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const factor = opts.factor;
  const f = typeof factor === 'function' ? factor : (nonNegative(fn, 'factor', factor), () => factor);
  const values = [initial]; // values[i] = lr(i), grown on demand
  return (step: number) => {
    const i = Math.floor(checkStep(fn, step));
    while (values.length <= i) {
      const k = values.length;
      const m = f(k);
      if (typeof m !== 'number' || !Number.isFinite(m) || m < 0) {
        throw new Error(`${fn}: factor(${k}) must return a finite number >= 0, got ${show(m)}`);
      }
      values.push(values[k - 1] * m);
    }
    return values[i];
  };
}
