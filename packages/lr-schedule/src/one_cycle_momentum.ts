import {oneCycleShape, type OneCycleOptions} from './one_cycle';
import type {Schedule} from './schedule';
import {checkStep, nonNegative} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link oneCycleMomentum}: those of `oneCycle` plus the momentum range. */
export interface OneCycleMomentumOptions extends OneCycleOptions {
  /** momentum at the lr peak, >= 0 (default 0.85) */
  baseMomentum?: number;
  /** momentum at the start and the end, >= baseMomentum (default 0.95) */
  maxMomentum?: number;
}

/**
 * The momentum (or Adam beta1) curve that goes with {@link oneCycle}: it moves opposite to the
 * lr, maxMomentum → baseMomentum while the lr rises, back to maxMomentum while it falls
 * (three-phase: the last phase stays at maxMomentum), with the same phase boundaries and
 * annealing function. `maxValue` and the div factors are validated but do not change it.
 *
 * PyTorch `OneCycleLR(cycle_momentum=True, base_momentum, max_momentum)` (drives `momentum`,
 * or `betas[0]` with Adam).
 *
 * ```ts
 * const mom = oneCycleMomentum({maxValue: 0.1, totalSteps: 1000});
 * mom(0); // 0.95
 * ```
 * @param opts the oneCycle options plus baseMomentum (default 0.85) and maxMomentum (default 0.95)
 */
export function oneCycleMomentum(opts: OneCycleMomentumOptions): Schedule {
  const fn = 'oneCycleMomentum';
  const shape = oneCycleShape(fn, opts);
  const base = nonNegative(fn, 'baseMomentum', opts.baseMomentum ?? 0.85);
  const maxM = nonNegative(fn, 'maxMomentum', opts.maxMomentum ?? 0.95);
  if (maxM < base) throw new Error(`${fn}: maxMomentum must be >= baseMomentum (${base}), got ${maxM}`);
  // PyTorch phases: (max -> base), (base -> max) and, three-phase, (max -> max)
  const at = (_p: string, role: 'from' | 'to', phase: number): number => {
    if (phase === 0) return role === 'from' ? maxM : base;
    if (phase === 1) return role === 'from' ? base : maxM;
    return maxM; // three-phase: the last phase holds maxMomentum
  };
  return describedSchedule({type: 'oneCycleMomentum', ...opts}, (step: number) => shape(checkStep(fn, step), at));
}
