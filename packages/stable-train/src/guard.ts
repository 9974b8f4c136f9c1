import {RunningMedian} from './running_median';
import type {GuardAction, GuardCause, TrainerEvent} from './types';

/**
 * Options of the explosion guard. Policies and their cost:
 * - `'skip'` (default): a bad step is not applied. Reads 3 numbers to the host per step.
 * - `'rollback'`: a bad step restores the last good in-memory snapshot (params + optimizer
 *   state, taken every `snapshotEvery` good steps). Reads 3 numbers per step.
 * - `'zero'`: non-finite gradients are replaced by zeros on device; no host read per step
 *   (the count of zeroed steps is read at `logEvery`). Spikes are not detected.
 * - `'off'`: no checks, no reads.
 */
export interface GuardOptions {
  policy?: 'skip' | 'rollback' | 'zero' | 'off';
  /** Multiply the learning rate by this on each bad step (1 = never cut). Default 0.5. */
  cutLr?: number;
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
      lossSpike: options.lossSpike ?? 0,
      gradSpike: options.gradSpike ?? 0,
      window: options.window ?? 50,
      warmup: options.warmup ?? 10,
      maxConsecutive: options.maxConsecutive ?? 10,
      snapshotEvery: options.snapshotEvery ?? 50,
    };
    const o = this.opts;
    if (!(o.cutLr > 0 && o.cutLr <= 1)) throw new Error(`ExplosionGuard: cutLr must be in (0, 1], got ${o.cutLr}`);
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
      return {ok: true, action: 'none'};
    }
    this.consecutive++;
    this.badSteps++;
    let action: GuardAction = this.policy === 'rollback' ? 'rollback' : 'skip';
    if (this.opts.cutLr < 1) this.lrScale *= this.opts.cutLr;
    if (this.consecutive >= this.opts.maxConsecutive) {
      this.gaveUp = true;
      action = 'give-up';
    }
    const lrNote = this.opts.cutLr < 1 ? `, lr scale now ${fmt(this.lrScale)}` : '';
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
    };
  }

  setState(s: GuardState): void {
    if (s == null || typeof s.lrScale !== 'number') throw new Error('ExplosionGuard.setState: not a guard state');
    this.loss.setState(s.lossHistory);
    this.grad.setState(s.gradHistory);
    this.lrScale = s.lrScale;
    this.consecutive = s.consecutive;
    this.badSteps = s.badSteps;
    this.gaveUp = s.gaveUp;
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
    case 'loss-spike':
      return `loss ${fmt(s.loss)} is ${fmt(s.loss / lossMed)}× the running median ${fmt(lossMed)}`;
    default:
      return `gradient norm ${fmt(s.gradNorm)} is ${fmt(s.gradNorm / gradMed)}× the running median ${fmt(gradMed)}`;
  }
}
