import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link linearRamp}. */
export interface LinearRampOptions {
  /** the base value the factors multiply, >= 0 */
  initial: number;
  /** factor at step 0, >= 0 */
  startFactor: number;
  /** factor from `steps` on, >= 0 */
  endFactor: number;
  /** length of the ramp, integer >= 1 (PyTorch total_iters) */
  steps: number;
}

/**
 * Linear ramp of a multiplicative factor, then constant:
 * lr(i) = initial · (startFactor + (endFactor − startFactor) · min(i, steps) / steps).
 * Use it for warm-up (startFactor < endFactor) or for linear decay.
 *
 * PyTorch `LinearLR(start_factor, end_factor, total_iters)`; Optax `linear_schedule(init_value,
 * end_value, transition_steps)` (with initial·factors).
 *
 * ```ts
 * const warmup = linearRamp({initial: 0.1, startFactor: 0.1, endFactor: 1, steps: 10});
 * warmup(0); // 0.01
 * warmup(10); // 0.1
 * ```
 * @param opts.initial base value
 * @param opts.startFactor factor at step 0
 * @param opts.endFactor factor after the ramp
 * @param opts.steps ramp length
 */
export function linearRamp(opts: LinearRampOptions): Schedule {
  const fn = 'linearRamp';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const startFactor = nonNegative(fn, 'startFactor', opts.startFactor);
  const endFactor = nonNegative(fn, 'endFactor', opts.endFactor);
  const steps = integer(fn, 'steps', opts.steps, 1);
  return describedSchedule({type: 'linear', ...opts}, (step: number) => {
    // (end - start) · (i / steps): the fraction first, so a huge endFactor does not overflow on the way
    const f = startFactor + (endFactor - startFactor) * (Math.min(checkStep(fn, step), steps) / steps);
    // rounding can leave f at -1e-17 when endFactor is 0; a learning rate is never negative
    return initial * Math.max(f, 0);
  });
}
