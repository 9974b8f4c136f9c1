import type {Schedule} from './schedule';
import {checkStep, integer, knownOptions, nonNegative, oneOf} from './validate';

/** Options of {@link swaSchedule}; defaults are PyTorch's. */
export interface SwaScheduleOptions {
  /** the optimizer's lr when SWA starts (annealed away from), >= 0 */
  initial: number;
  /** the constant SWA lr reached after annealEpochs, >= 0 */
  swaLr: number;
  /** steps of annealing, integer >= 0 (default 10; 0 = swaLr from step 0) */
  annealEpochs?: number;
  /** 'cos' (default) or 'linear' */
  annealStrategy?: 'cos' | 'linear';
}

/**
 * SWA learning rate: t = clamp(i/annealEpochs, 0, 1); α = (1 − cos(πt))/2 ('cos') or t
 * ('linear'); lr(i) = swaLr·α + initial·(1 − α): from `initial` to `swaLr` in annealEpochs
 * steps, then constant. With annealEpochs 0, lr(i) = swaLr from step 0.
 *
 * PyTorch `torch.optim.swa_utils.SWALR(optimizer, swa_lr, anneal_epochs, anneal_strategy)` (it
 * computes the same values recursively, to ~1e-17); Optax/Keras: none. Reference: Izmailov et al.
 * 2018, "Averaging Weights Leads to Wider Optima and Better Generalization",
 * https://arxiv.org/abs/1803.05407 ; https://pytorch.org/docs/stable/optim.html#weight-averaging-swa-and-ema
 *
 * ```ts
 * const s = swaSchedule({initial: 0.1, swaLr: 0.05, annealEpochs: 5});
 * console.log(s(0), s(5)); // 0.1 0.05
 * ```
 * @param opts.initial lr at the start of SWA
 * @param opts.swaLr constant SWA lr
 * @param opts.annealEpochs annealing steps (default 10)
 * @param opts.annealStrategy 'cos' or 'linear' (default 'cos')
 */
export function swaSchedule(opts: SwaScheduleOptions): Schedule {
  const fn = 'swaSchedule';
  knownOptions(fn, opts, ['initial', 'swaLr', 'annealEpochs', 'annealStrategy']);
  const initial = nonNegative(fn, 'initial', opts.initial);
  const swaLr = nonNegative(fn, 'swaLr', opts.swaLr);
  const anneal = integer(fn, 'annealEpochs', opts.annealEpochs ?? 10, 0);
  const strategy = oneOf(fn, 'annealStrategy', opts.annealStrategy ?? 'cos', ['cos', 'linear'] as const);
  return (step: number) => {
    checkStep(fn, step);
    if (anneal === 0) return swaLr;
    const t = Math.max(0, Math.min(1, step / anneal));
    const alpha = strategy === 'cos' ? (1 - Math.cos(Math.PI * t)) / 2 : t;
    return swaLr * alpha + initial * (1 - alpha);
  };
}
