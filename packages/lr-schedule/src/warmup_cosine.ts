import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link warmupCosine}. */
export interface WarmupCosineOptions {
  /** value at step 0, >= 0 (Optax init_value; default 0) */
  initial?: number;
  /** value at the end of the warm-up, >= 0 (Optax peak_value) */
  peak: number;
  /** length of the linear warm-up, integer >= 0 */
  warmupSteps: number;
  /** total length, warm-up included, integer >= warmupSteps and >= 1 (Optax decay_steps) */
  decaySteps: number;
  /** value from decaySteps on, >= 0 (Optax end_value; default 0) */
  final?: number;
}

/**
 * Linear warm-up then cosine decay: for i < W, lr(i) = initial + (peak − initial) · i / W; then
 * with c = min(i − W, D − W) / (D − W), lr(i) = final + (peak − final) · (1 + cos(π · c)) / 2
 * (W = warmupSteps, D = decaySteps, which includes the warm-up). When W = D the value is
 * `final` from step W on.
 *
 * Optax `warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps,
 * end_value)`; Keras `CosineDecay(warmup_target, warmup_steps)`; timm `CosineLRScheduler` with
 * `warmup_t`.
 *
 * ```ts
 * const s = warmupCosine({initial: 0, peak: 1e-3, warmupSteps: 100, decaySteps: 1000});
 * s(100); // 1e-3
 * s(1000); // 0
 * ```
 * @param opts.initial start of the warm-up (default 0)
 * @param opts.peak value after warm-up
 * @param opts.warmupSteps warm-up length
 * @param opts.decaySteps total length (warm-up included)
 * @param opts.final end value (default 0)
 */
export function warmupCosine(opts: WarmupCosineOptions): Schedule {
  const fn = 'warmupCosine';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial ?? 0);
  const peak = nonNegative(fn, 'peak', opts.peak);
  const warmup = integer(fn, 'warmupSteps', opts.warmupSteps, 0);
  const decay = integer(fn, 'decaySteps', opts.decaySteps, 1);
  const final = nonNegative(fn, 'final', opts.final ?? 0);
  if (warmup > decay) {
    throw new Error(`${fn}: warmupSteps must be <= decaySteps (${decay}; decaySteps includes the warm-up), got ${warmup}`);
  }
  const cosLen = decay - warmup;
  return describedSchedule({type: 'warmupCosine', ...opts}, (step: number) => {
    checkStep(fn, step);
    if (step < warmup) return initial + ((peak - initial) * step) / warmup;
    if (cosLen === 0) return final;
    const c = Math.min(step - warmup, cosLen) / cosLen;
    return final + ((peak - final) * (1 + Math.cos(Math.PI * c))) / 2;
  });
}
