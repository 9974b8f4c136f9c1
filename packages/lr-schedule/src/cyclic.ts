import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, oneOf, options, positive} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link cyclic}. */
export interface CyclicOptions {
  /** lower bound of the cycle, >= 0 (PyTorch base_lr) */
  baseValue: number;
  /** upper bound of the cycle, >= baseValue (PyTorch max_lr) */
  maxValue: number;
  /** steps in the rising half, integer >= 1 (default 2000, as PyTorch) */
  stepSizeUp?: number;
  /** steps in the falling half, integer >= 1 (default stepSizeUp) */
  stepSizeDown?: number;
  /** 'triangular' (default), 'triangular2' (halve the amplitude each cycle) or 'exp_range' */
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** exp_range: the amplitude is multiplied by gamma^i at step i, > 0 (default 1) */
  gamma?: number;
}

/**
 * Validates the options and returns `(step) => {sf, scale}`: the triangle's height in [0, 1]
 * and the mode's amplitude scale, with PyTorch's exact arithmetic. Internal.
 */
export function cyclicShape(fn: string, opts: CyclicOptions): (step: number) => {sf: number; scale: number} {
  options(fn, opts);
  const up = integer(fn, 'stepSizeUp', opts.stepSizeUp ?? 2000, 1);
  const down = integer(fn, 'stepSizeDown', opts.stepSizeDown ?? up, 1);
  const mode = oneOf(fn, 'mode', opts.mode ?? 'triangular', ['triangular', 'triangular2', 'exp_range'] as const);
  const gamma = positive(fn, 'gamma', opts.gamma ?? 1);
  const total = up + down;
  const ratio = up / total;
  return (step: number) => {
    checkStep(fn, step);
    const cycle = Math.floor(1 + step / total);
    const x = 1 + step / total - cycle;
    const sf = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
    const scale = mode === 'triangular' ? 1 : mode === 'triangular2' ? 1 / 2 ** (cycle - 1) : gamma ** step;
    return {sf, scale};
  };
}

/**
 * Cyclical learning rate: a triangle wave between baseValue and maxValue,
 * cycle = floor(1 + i/T), x = 1 + i/T − cycle with T = up + down,
 * h = x/r if x ≤ r else (x − 1)/(r − 1) (r = up/T), lr(i) = base + (max − base) · h · scale,
 * scale = 1 (triangular), 1/2^(cycle−1) (triangular2), gamma^i (exp_range).
 *
 * PyTorch `CyclicLR(base_lr, max_lr, step_size_up, step_size_down, mode, gamma)`;
 * TF-Addons `CyclicalLearningRate`. Reference: Smith 2017, https://arxiv.org/abs/1506.01186
 *
 * ```ts
 * const s = cyclic({baseValue: 1e-3, maxValue: 1e-2, stepSizeUp: 100});
 * s(100); // 0.01
 * s(200); // 0.001
 * ```
 * @param opts.baseValue lower bound
 * @param opts.maxValue upper bound
 * @param opts.stepSizeUp rising steps (default 2000)
 * @param opts.stepSizeDown falling steps (default stepSizeUp)
 * @param opts.mode amplitude policy (default 'triangular')
 * @param opts.gamma exp_range decay per step (default 1)
 */
export function cyclic(opts: CyclicOptions): Schedule {
  const fn = 'cyclic';
  const shape = cyclicShape(fn, opts);
  const base = nonNegative(fn, 'baseValue', opts.baseValue);
  const max = nonNegative(fn, 'maxValue', opts.maxValue);
  if (max < base) throw new Error(`${fn}: maxValue must be >= baseValue (${base}), got ${max}`);
  return describedSchedule({type: 'cyclic', ...opts}, (step: number) => {
    const {sf, scale} = shape(step);
    return base + (max - base) * sf * scale;
  });
}
