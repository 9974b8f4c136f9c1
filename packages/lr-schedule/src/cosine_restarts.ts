import type {Schedule} from './schedule';
import {checkStep, integer, nonNegative, options} from './validate';
import {describedSchedule} from './described_schedule';

/** Options of {@link cosineRestarts}. */
export interface CosineRestartsOptions {
  /** value at the start of every cycle, >= 0 */
  initial: number;
  /** length of the first cycle, integer >= 1 (PyTorch T_0) */
  period: number;
  /** each cycle is periodMult times longer than the previous, integer >= 1 (PyTorch T_mult; default 1) */
  periodMult?: number;
  /** value approached at the end of each cycle, >= 0 (PyTorch eta_min; default 0) */
  final?: number;
}

/**
 * Cosine annealing with warm restarts (SGDR): with T_cur the steps since the last restart and
 * T_i the current cycle length, lr(i) = final + (initial − final) · (1 + cos(π · T_cur / T_i)) / 2;
 * T_0 = period, T_{k+1} = periodMult · T_k.
 *
 * PyTorch `CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)`; Keras `CosineDecayRestarts`
 * (with m_mul = 1, alpha = final/initial); Optax `sgdr_schedule`.
 * Reference: Loshchilov & Hutter 2017, https://arxiv.org/abs/1608.03983
 *
 * ```ts
 * const s = cosineRestarts({initial: 0.1, period: 10, periodMult: 2});
 * s(10); // 0.1 again (restart)
 * ```
 * @param opts.initial value at each restart
 * @param opts.period first cycle length
 * @param opts.periodMult cycle length multiplier (default 1)
 * @param opts.final minimum value (default 0)
 */
export function cosineRestarts(opts: CosineRestartsOptions): Schedule {
  const fn = 'cosineRestarts';
  options(fn, opts);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const period = integer(fn, 'period', opts.period, 1);
  const periodMult = integer(fn, 'periodMult', opts.periodMult ?? 1, 1);
  const final = nonNegative(fn, 'final', opts.final ?? 0);
  return describedSchedule({type: 'cosineRestarts', ...opts}, (step: number) => {
    checkStep(fn, step);
    let tCur: number;
    let tI = period;
    if (periodMult === 1) {
      tCur = step % period;
    } else {
      // cycles grow geometrically, so this loop runs O(log step) times
      let start = 0;
      while (step >= start + tI) {
        start += tI;
        tI *= periodMult;
      }
      tCur = step - start;
    }
    // π · (tCur / tI): the ratio first (π · tCur overflows for steps near 1.8e308, then Infinity / Infinity)
    return final + ((initial - final) * (1 + Math.cos(Math.PI * (tCur / tI)))) / 2;
  });
}
