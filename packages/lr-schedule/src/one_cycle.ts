import type {Schedule} from './schedule';
import {checkStep, integer, oneOf, options, positive, show} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link oneCycle} (and, with momentum fields, {@link oneCycleMomentum}). */
export interface OneCycleOptions {
  /** peak value, > 0 (PyTorch max_lr) */
  maxValue: number;
  /** length of the cycle in steps, integer >= 2 */
  totalSteps: number;
  /** fraction of the cycle spent increasing, in (0, 1) (default 0.3) */
  pctStart?: number;
  /** annealing shape, 'cos' or 'linear' (default 'cos') */
  anneal?: 'cos' | 'linear';
  /** the value starts at maxValue / divFactor (default 25) */
  divFactor?: number;
  /** the value ends at maxValue / divFactor / finalDivFactor (default 1e4) */
  finalDivFactor?: number;
  /** use PyTorch's three-phase variant (fast.ai style) (default false) */
  threePhase?: boolean;
}

interface Phase {
  end: number;
  from: 'initial' | 'max' | 'min';
  to: 'initial' | 'max' | 'min';
}

/** PyTorch's annealing functions, with its exact arithmetic. */
export function annealOneCycle(kind: 'cos' | 'linear', start: number, end: number, pct: number): number {
  return kind === 'cos' ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
}

/**
 * Validates the options and returns `shape(step, at)`: evaluates the one-cycle curve with the
 * phase end points mapped by `at` (used for both the lr and the momentum curves). Internal.
 */
export function oneCycleShape(
  fn: string,
  opts: OneCycleOptions,
): (step: number, at: (p: 'initial' | 'max' | 'min', role: 'from' | 'to', phase: number) => number) => number {
  options(fn, opts);
  positive(fn, 'maxValue', opts.maxValue);
  const total = integer(fn, 'totalSteps', opts.totalSteps, 2);
  const pct = opts.pctStart ?? 0.3;
  if (typeof pct !== 'number' || !(pct > 0 && pct < 1)) {
    throw new Error(`${fn}: pctStart must be a number in (0, 1), got ${show(pct)}`);
  }
  const anneal = oneOf(fn, 'anneal', opts.anneal ?? 'cos', ['cos', 'linear'] as const);
  positive(fn, 'divFactor', opts.divFactor ?? 25);
  positive(fn, 'finalDivFactor', opts.finalDivFactor ?? 1e4);
  const three = opts.threePhase ?? false;
  // PyTorch: phase ends are the floats pct*T - 1 (and 2*pct*T - 2), the last one T - 1
  const phases: Phase[] = three
    ? [
        {end: pct * total - 1, from: 'initial', to: 'max'},
        {end: 2 * pct * total - 2, from: 'max', to: 'initial'},
        {end: total - 1, from: 'initial', to: 'min'},
      ]
    : [
        {end: pct * total - 1, from: 'initial', to: 'max'},
        {end: total - 1, from: 'max', to: 'min'},
      ];
  for (let k = 1; k < phases.length; k++) {
    if (!(phases[k].end > phases[k - 1].end) || !(phases[0].end > 0)) {
      throw new Error(`${fn}: pctStart must leave every phase at least one step with totalSteps ${total}, got ${pct}`);
    }
  }
  return (step, at) => {
    // PyTorch OneCycleLR raises `Tried to step X times` once last_epoch > total_steps, so step
    // totalSteps (the (T+1)-th update) is the last allowed one. There PyTorch extrapolates the
    // last phase past its end (below zero with anneal 'linear'); the value holds at the minimum.
    if (step > total) {
      throw new Error(`${fn}: step must be <= totalSteps (${total}) as in PyTorch OneCycleLR, got ${step}`);
    }
    const s = Math.min(step, total - 1);
    let start = 0;
    for (let k = 0; k < phases.length; k++) {
      const ph = phases[k];
      if (s <= ph.end || k === phases.length - 1) {
        const p = (s - start) / (ph.end - start);
        return annealOneCycle(anneal, at(ph.from, 'from', k), at(ph.to, 'to', k), p);
      }
      start = ph.end;
    }
    /* istanbul ignore next: the loop always returns */
    throw new Error(`${fn}: unreachable`);
  };
}

/**
 * The 1cycle policy: rises from maxValue/divFactor to maxValue over the first pctStart of the
 * cycle, then anneals to maxValue/divFactor/finalDivFactor (three-phase: back to the start
 * value, then down to the minimum). Phase k runs from the float boundary e_{k-1} to e_k with
 * e_1 = pctStart·totalSteps − 1, e_last = totalSteps − 1; pct = (i − e_{k−1}) / (e_k − e_{k−1});
 * cos: v = end + (start − end)/2 · (cos(π·pct) + 1); linear: v = start + (end − start)·pct.
 * Step totalSteps holds the minimum; a later step throws (PyTorch raises `Tried to step X
 * times. The specified number of total steps is Y` once stepped past total_steps).
 *
 * PyTorch `OneCycleLR(max_lr, total_steps, pct_start, anneal_strategy, div_factor,
 * final_div_factor, three_phase)`; Optax `cosine_onecycle_schedule` / `linear_onecycle_schedule`.
 * Reference: Smith & Topin 2018, https://arxiv.org/abs/1708.07120
 *
 * ```ts
 * const s = oneCycle({maxValue: 0.1, totalSteps: 1000});
 * s(0); // 0.004 (= 0.1 / 25)
 * s(299); // 0.1
 * ```
 * @param opts.maxValue peak value
 * @param opts.totalSteps cycle length
 * @param opts.pctStart fraction of the cycle spent rising (default 0.3)
 * @param opts.anneal 'cos' (default) or 'linear'
 * @param opts.divFactor start = maxValue / divFactor (default 25)
 * @param opts.finalDivFactor end = start / finalDivFactor (default 1e4)
 * @param opts.threePhase PyTorch's three-phase variant (default false)
 */
export function oneCycle(opts: OneCycleOptions): Schedule {
  const fn = 'oneCycle';
  const shape = oneCycleShape(fn, opts);
  const max = opts.maxValue;
  const initial = max / (opts.divFactor ?? 25);
  const min = initial / (opts.finalDivFactor ?? 1e4);
  const value = {initial, max, min};
  return describedSchedule({type: 'oneCycle', ...opts}, (step: number) => shape(checkStep(fn, step), (p) => value[p]));
}
