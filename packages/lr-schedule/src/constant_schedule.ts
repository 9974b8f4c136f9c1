import type {Schedule} from './schedule';
import {checkStep, nonNegative} from './validate';
import {describedSchedule} from './described_schedule';

/**
 * A schedule that always returns `value`: lr(i) = value.
 *
 * PyTorch: a fixed `lr` (ConstantLR with factor 1); Keras: a plain float; Optax `constant_schedule`.
 *
 * ```ts
 * const s = constantSchedule(1e-3);
 * s(0) === s(1000); // true
 * ```
 * @param value the value, finite and >= 0
 */
export function constantSchedule(value: number): Schedule {
  const fn = 'constantSchedule';
  nonNegative(fn, 'value', value);
  return describedSchedule({type: 'constant', value}, (step: number) => {
    checkStep(fn, step);
    return value;
  });
}
