import {cyclicShape, type CyclicOptions} from './cyclic';
import type {Schedule} from './schedule';
import {nonNegative, options, show} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link cyclicMomentum}: the cycle of `cyclic` with a momentum range. */
export interface CyclicMomentumOptions extends Omit<CyclicOptions, 'baseValue' | 'maxValue'> {
  /** momentum at the lr peak, >= 0 (default 0.8) */
  baseMomentum?: number;
  /** momentum at the lr minimum, >= baseMomentum (default 0.9) */
  maxMomentum?: number;
}

/**
 * The momentum curve that goes with {@link cyclic}: it moves opposite to the lr,
 * m(i) = maxMomentum − (maxMomentum − baseMomentum) · h · scale, with the same h and scale.
 *
 * PyTorch `CyclicLR(cycle_momentum=True, base_momentum, max_momentum)`.
 *
 * ```ts
 * const mom = cyclicMomentum({stepSizeUp: 100});
 * mom(0); // 0.9
 * mom(100); // 0.8
 * ```
 * @param opts cycle options (stepSizeUp, stepSizeDown, mode, gamma) plus the momentum range
 */
export function cyclicMomentum(opts: CyclicMomentumOptions): Schedule {
  const fn = 'cyclicMomentum';
  options(fn, opts);
  const shape = cyclicShape(fn, {...opts, baseValue: 0, maxValue: 0});
  const base = nonNegative(fn, 'baseMomentum', opts.baseMomentum ?? 0.8);
  const max = nonNegative(fn, 'maxMomentum', opts.maxMomentum ?? 0.9);
  if (max < base) throw new Error(`${fn}: maxMomentum must be >= baseMomentum (${base}), got ${show(max)}`);
  return describedSchedule({type: 'cyclicMomentum', ...opts}, (step: number) => {
    const {sf, scale} = shape(step);
    return max - (max - base) * sf * scale;
  });
}
