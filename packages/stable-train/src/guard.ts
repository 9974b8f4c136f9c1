import {RunningMedian} from './running_median';
import type {GuardAction, GuardCause, TrainerEvent} from './types';

/**
 * Options of the explosion guard. Policies and their cost:
 * - `'skip'` (default): a bad step is not applied. One host read per step: the loss with the
 *   step's one measurement of the gradients (Σg² per tensor, ‖g‖; on WASM the sums are taken
 *   from the heap); one more flag when gradient transforms other than grad-clip clippers are
 *   set (their output is checked for NaN/Infinity), and one more read on a bad step (is the
 *   input batch at fault?).
 * - `'rollback'`: a bad step restores the last good in-memory snapshot (params + optimizer
 *   state, taken every `snapshotEvery` good steps). Reads as `'skip'`.
 * - `'zero'`: only non-finite values are looked for (no spike checks), from the same one read; a
 *   step with NaN/Infinity in its input, loss, gradients or transformed gradients is not applied.
 *
 * The input batch is examined only when the loss or the gradients are not finite (to tell a bad
 * batch, which does not cut the lr, from a diverging step): bad values in a batch that reach
 * neither the loss nor the gradients do not stop the step.
 * - `'off'`: no checks; one read per step (the loss `step()` returns).
 *
 * Under every policy a rejected step changes no weight and no optimizer state (no decay, no
 * `applyGradients`). The lr scale is cut by `cutLr` on each bad step (except bad input batches)
 * and grows back by `growLr` after `growEvery` good steps in a row, never above 1.
 */
export interface GuardOptions {
  policy?: 'skip' | 'rollback' | 'zero' | 'off';
  /**
   * Multiply the learning rate by this on each bad step (1 = never cut). Default 0.5. A step
   * skipped because its *input batch* holds NaN/Infinity does not cut the lr (the data, not the
   * lr, was at fault).
   */
  cutLr?: number;
  /**
   * After this many good steps in a row, a cut lr grows back by `growLr` (capped at the
   * schedule's own lr), as dynamic loss scaling grows its scale back (PyTorch `GradScaler`
   * `growth_interval`). `0` = never grow back. Default 100.
   */
  growEvery?: number;
  /** Factor the lr scale grows by every `growEvery` good steps, > 1. Default 2 (undoes one 0.5 cut). */
  growLr?: number;
  /** A loss above `lossSpike ×` the running median is a spike (`0` = off). Default 0 (off). */
  lossSpike?: number;
  /** A gradient norm above `gradSpike ×` the running median is a spike (`0` = off). Default 0 (off). */
  gradSpike?: number;
  /** How many recent good steps the medians cover. Default 50. */
  window?: number;
  /** Good steps seen before spike checks start. Default 10. */
  warmup?: number;
  /** Give up after this many bad steps in a row. Default 10. */
  maxConsecutive?: number;
  /** Take a rollback snapshot every this many good steps. Default 50. */
  snapshotEvery?: number;
}

/** Statistics of one step as read back from the device. */
export interface StepStats {
  loss: number;
  gradNorm: number;
  inputFinite: boolean;
  /**
   * Whether every gradient value is finite. When absent, a non-finite `gradNorm` counts as a
   * non-finite gradient; when true, an infinite norm (float32 overflow of finite gradients) is
   * judged as a gradient spike instead.
   */
  gradFinite?: boolean;
}

/** The guard's verdict on a step. */
export interface GuardVerdict {
  ok: boolean;
  cause?: GuardCause;
  action: GuardAction;
  event?: TrainerEvent;
}

/** Everything the guard remembers, for checkpoints. */
export interface GuardState {
  lossHistory: number[];
  gradHistory: number[];
  lrScale: number;
  consecutive: number;
  badSteps: number;
  gaveUp: boolean;
  /** Good steps in a row since the last bad step or the last growth of the lr scale. */
  goodRun?: number;
}

/**
 * The explosion guard: judges each step by its loss, gradient norm and input finiteness,
 * and decides what to do with a bad one (skip, roll back, cut the learning rate, give up).
 * Fairseq (skip on overflow), Megatron and PaLM (rollback and skip data after spikes) do parts of this.
 *
 * ```ts
 * const guard = new ExplosionGuard({policy: 'rollback', gradSpike: 10});
 * const v = guard.judge(12, {loss: NaN, gradNorm: 3, inputFinite: true}); // v.ok === false
 * ```
 */
export class ExplosionGuard {
  readonly policy: NonNullable<GuardOptions['policy']>;
  readonly opts: Required<Omit<GuardOptions, 'policy'>>;
  private loss: RunningMedian;
  private grad: RunningMedian;
  /** Factor applied to the scheduled learning rate (cut on bad steps). */
  lrScale = 1;
  private consecutive = 0;
  private goodRun = 0;
  /** Total bad steps so far. */
  badSteps = 0;
  /** True once `maxConsecutive` bad steps in a row happened. */
  gaveUp = false;

  /** @param options see `GuardOptions` */
  constructor(options: GuardOptions = {}) {
    const policy = options.policy ?? 'skip';
    if (!['skip', 'rollback', 'zero', 'off'].includes(policy)) {
      throw new Error(`ExplosionGuard: policy must be 'skip', 'rollback', 'zero' or 'off', got ${JSON.stringify(policy)}`);
    }
    this.policy = policy;
    this.opts = {
      cutLr: options.cutLr ?? 0.5,
      growEvery: options.growEvery ?? 100,
      growLr: options.growLr ?? 2,
      lossSpike: options.lossSpike ?? 0,
      gradSpike: options.gradSpike ?? 0,
      window: options.window ?? 50,
      warmup: options.warmup ?? 10,
      maxConsecutive: options.maxConsecutive ?? 10,
      snapshotEvery: options.snapshotEvery ?? 50,
    };
    const o = this.opts;
    if (!(o.cutLr > 0 && o.cutLr <= 1)) throw new Error(`ExplosionGuard: cutLr must be in (0, 1], got ${o.cutLr}`);
    if (!(Number.isInteger(o.growEvery) && o.growEvery >= 0)) throw new Error(`ExplosionGuard: growEvery must be an integer >= 0, got ${o.growEvery}`);
    if (!(o.growLr > 1 && Number.isFinite(o.growLr))) throw new Error(`ExplosionGuard: growLr must be a finite number > 1, got ${o.growLr}`);
    for (const k of ['lossSpike', 'gradSpike'] as const) {
      if (!(o[k] === 0 || o[k] > 1)) throw new Error(`ExplosionGuard: ${k} must be 0 (off) or > 1, got ${o[k]}`);
    }
    for (const k of ['window', 'maxConsecutive', 'snapshotEvery'] as const) {
      if (!(Number.isInteger(o[k]) && o[k] >= 1)) throw new Error(`ExplosionGuard: ${k} must be an integer >= 1, got ${o[k]}`);
    }
    if (!(Number.isInteger(o.warmup) && o.warmup >= 0)) throw new Error(`ExplosionGuard: warmup must be an integer >= 0, got ${o.warmup}`);
    this.loss = new RunningMedian(o.window);
    this.grad = new RunningMedian(o.window);
  }

  /** Whether this policy reads step statistics to the host every step. */
  get readsEveryStep(): boolean {
    return this.policy === 'skip' || this.policy === 'rollback';
  }

  /**
   * Judges one step. A good step joins the running medians; a bad one is counted, cuts the
   * learning rate and yields an event saying what was found and what was done.
   * @param step the step number
   * @param s the step's loss, gradient norm (before clipping) and input finiteness
   */
  judge(step: number, s: StepStats): GuardVerdict {
    const cause = this.findCause(s);
    if (!cause) {
      this.consecutive = 0;
      this.loss.push(s.loss);
      this.grad.push(s.gradNorm);
      this.goodRun++;
      if (this.lrScale < 1 && this.opts.growEvery > 0 && this.goodRun >= this.opts.growEvery) {
        this.lrScale = Math.min(1, this.lrScale * this.opts.growLr);
        this.goodRun = 0;
        const message = `${this.opts.growEvery} good steps in a row; lr scale grown back to ${fmt(this.lrScale)}`;
        return {ok: true, action: 'grow-lr', event: {step, kind: 'guard', cause: 'recovered', action: 'grow-lr', message}};
      }
      return {ok: true, action: 'none'};
    }
    return this.reject(step, cause, s);
  }

  /**
   * Records a bad step found outside `judge` (for example a gradient transform that produced
   * NaN/Infinity from finite gradients): counted, cuts the lr and yields the event, as `judge` does.
   * @param step the step number
   * @param cause what was wrong
   * @param s the step's statistics (for the message)
   */
  reject(step: number, cause: GuardCause, s: StepStats): GuardVerdict {
    this.consecutive++;
    this.badSteps++;
    this.goodRun = 0;
    let action: GuardAction = this.policy === 'rollback' ? 'rollback' : this.policy === 'zero' ? 'zeroed' : 'skip';
    const cuts = this.opts.cutLr < 1 && cause !== 'nonfinite-input';
    if (cuts) this.lrScale *= this.opts.cutLr;
    if (this.consecutive >= this.opts.maxConsecutive) {
      this.gaveUp = true;
      action = 'give-up';
    }
    const lrNote = cuts ? `, lr scale now ${fmt(this.lrScale)}` : '';
    const message =
      `${describe(cause, s, this.loss.median(), this.grad.median())}; ${action}${lrNote}` +
      (action === 'give-up' ? ` (${this.consecutive} bad steps in a row)` : '');
    return {ok: false, cause, action, event: {step, kind: 'guard', cause, action, message}};
  }

  private findCause(s: StepStats): GuardCause | undefined {
    if (!s.inputFinite) return 'nonfinite-input';
    if (!Number.isFinite(s.loss)) return 'nonfinite-loss';
    if (s.gradFinite === false || (s.gradFinite === undefined && !Number.isFinite(s.gradNorm))) return 'nonfinite-grad';
    if (!Number.isFinite(s.gradNorm)) return 'grad-spike';
    const {lossSpike, gradSpike, warmup} = this.opts;
    if (lossSpike > 0 && this.loss.count >= Math.max(1, warmup) && s.loss > lossSpike * Math.abs(this.loss.median())) {
      return 'loss-spike';
    }
    if (gradSpike > 0 && this.grad.count >= Math.max(1, warmup) && s.gradNorm > gradSpike * this.grad.median()) {
      return 'grad-spike';
    }
    return undefined;
  }

  getState(): GuardState {
    return {
      lossHistory: this.loss.getState(),
      gradHistory: this.grad.getState(),
      lrScale: this.lrScale,
      consecutive: this.consecutive,
      badSteps: this.badSteps,
      gaveUp: this.gaveUp,
      goodRun: this.goodRun,
    };
  }

  setState(s: GuardState): void {
    const nonNegInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
    if (s == null || typeof s !== 'object' || !(Number.isFinite(s.lrScale) && s.lrScale > 0 && s.lrScale <= 1) ||
      !nonNegInt(s.consecutive) || !nonNegInt(s.badSteps) || typeof s.gaveUp !== 'boolean' || (s.goodRun !== undefined && !nonNegInt(s.goodRun)) ||
      !Array.isArray(s.lossHistory) || !Array.isArray(s.gradHistory)) {
      throw new Error(`ExplosionGuard.setState: not a guard state, got ${JSON.stringify(s)?.slice(0, 200)}`);
    }
    this.loss.setState(s.lossHistory);
    this.grad.setState(s.gradHistory);
    this.lrScale = s.lrScale;
    this.consecutive = s.consecutive;
    this.badSteps = s.badSteps;
    this.gaveUp = s.gaveUp;
    this.goodRun = s.goodRun ?? 0;
  }

  /** Bad steps in a row up to now (0 after a good step): checkpoints are written only at 0. */
  get badInARow(): number {
    return this.consecutive;
  }
}

const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));

function describe(cause: GuardCause, s: StepStats, lossMed: number, gradMed: number): string {
  switch (cause) {
    case 'nonfinite-input':
      return 'the batch contains NaN or Infinity';
    case 'nonfinite-loss':
      return `loss is ${s.loss}`;
    case 'nonfinite-grad':
      return `gradient norm is ${s.gradNorm} (loss ${fmt(s.loss)})`;
    case 'nonfinite-update':
      return `a gradient transform turned finite gradients (norm ${fmt(s.gradNorm)}) into NaN or Infinity`;
    case 'loss-spike':
      return `loss ${fmt(s.loss)} is ${fmt(s.loss / lossMed)}× the running median ${fmt(lossMed)}`;
    default:
      return `gradient norm ${fmt(s.gradNorm)} is ${fmt(s.gradNorm / gradMed)}× the running median ${fmt(gradMed)}`;
  }
}
