import * as tf from '@tensorflow/tfjs-core';
import type {Schedule} from './schedule';
import type {NamedTensor} from './torch_optimizer';
import {scheduleSpec} from './described_schedule';
import type {ScheduleSpec} from './resolve_schedule';
import {scheduleFromSpec} from './schedule_from_spec';
import {registerOnce} from './register_once';
import {show} from './validate';

/** What withSchedule needs of a stock optimizer: the protected lr field and, for SGD/Momentum, its setter. */
interface StockOptimizer {
  learningRate?: number;
  setLearningRate?: (lr: number) => void;
}

/**
 * What a momentum schedule needs of tfjs-core's MomentumOptimizer: `momentum` (reported by
 * getConfig, set by `setMomentum`) and the private scalar `m` its update multiplies by, which
 * `setMomentum` does not refresh (tfjs-core 4.x).
 */
interface StockMomentum {
  momentum: number;
  m: tf.Tensor;
  setMomentum(momentum: number): void;
}

/** Options of {@link withSchedule}. */
export interface WithScheduleOptions {
  /**
   * momentum per step, for `tf.train.momentum` only (PyTorch `cycle_momentum`), e.g.
   * `oneCycleMomentum`; each value must be in [0, 1)
   */
  momentum?: Schedule;
}

/**
 * A stock tfjs-core optimizer driven by a schedule; see {@link withSchedule}. It is itself a
 * `tf.Optimizer`, so it works in `minimize` and in tfjs-layers `model.compile`.
 */
export class ScheduledOptimizer<T extends tf.Optimizer = tf.Optimizer> extends tf.Optimizer {
  static get className(): string {
    return 'StableTrainScheduled';
  }
  /** the wrapped optimizer (owns the state) */
  readonly inner: T;
  /** the schedule, evaluated at {@link step} before each update */
  readonly schedule: Schedule;
  /** the momentum schedule (tf.train.momentum only), evaluated at {@link step} before each update */
  readonly momentum?: Schedule;

  constructor(inner: T, schedule: Schedule, opts: WithScheduleOptions = {}) {
    super();
    if (inner == null || typeof inner !== 'object' || typeof (inner as unknown as tf.Optimizer).applyGradients !== 'function' ||
      !('learningRate' in (inner as object))) {
      throw new Error(`withSchedule: optimizer must be a tfjs-core optimizer with a learningRate, got ${show(inner)}`);
    }
    if (typeof schedule !== 'function') {
      throw new Error(`withSchedule: schedule must be a function (step) => number, got ${show(schedule)}`);
    }
    if (opts == null || typeof opts !== 'object') throw new Error(`withSchedule: options must be an object, got ${show(opts)}`);
    if (opts.momentum !== undefined) {
      if (typeof opts.momentum !== 'function') {
        throw new Error(`withSchedule: momentum must be a function (step) => number, got ${show(opts.momentum)}`);
      }
      const m = inner as unknown as Partial<StockMomentum>;
      if (!(inner instanceof tf.MomentumOptimizer) || !(m.m instanceof tf.Tensor) || typeof m.setMomentum !== 'function') {
        const name = (inner as object).constructor?.name;
        throw new Error(`withSchedule: optimizer must be tf.train.momentum (a MomentumOptimizer) for a momentum schedule, got ${name}; ` +
          'for Adam beta1 or RMSprop momentum use adam/adamw/rmsprop/sgd from this package');
      }
      this.momentum = opts.momentum;
    }
    this.inner = inner;
    this.schedule = schedule;
  }

  /** Number of updates applied so far (the wrapped optimizer's `iterations`). */
  get step(): number {
    return this.inner.iterations;
  }

  /** The lr the next update will use: `schedule(step)`. */
  get currentLr(): number {
    const v = this.schedule(this.step);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`withSchedule: schedule(${this.step}) must be a finite number >= 0, got ${show(v)}`);
    }
    return v;
  }

  /** The momentum the next update will use: `momentum(step)` (undefined without a momentum schedule). */
  get currentMomentum(): number | undefined {
    if (!this.momentum) return undefined;
    const v = this.momentum(this.step);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) {
      throw new Error(`withSchedule: momentum(${this.step}) must be a number in [0, 1), got ${show(v)}`);
    }
    return v;
  }

  /**
   * Sets the inner optimizer's lr to `schedule(step)` (and its momentum to `momentum(step)`),
   * then lets it apply the gradients.
   */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const lr = this.currentLr;
    const mu = this.currentMomentum; // both checked before anything changes
    if (mu !== undefined) {
      const m = this.inner as unknown as StockMomentum;
      if (m.momentum !== mu) {
        m.setMomentum(mu); // the field getConfig reports
        // the update multiplies by the kept scalar `m`, which setMomentum leaves alone
        m.m.dispose();
        m.m = tf.keep(tf.scalar(mu));
      }
    }
    const o = this.inner as unknown as StockOptimizer;
    // SGD and Momentum cache -lr in a kept scalar: only setLearningRate() reaches the update.
    // Adam, Adamax, Adagrad, Adadelta and RMSProp read the field at every step.
    if (typeof o.setLearningRate === 'function') {
      if (o.learningRate !== lr) o.setLearningRate(lr);
    } else {
      o.learningRate = lr;
    }
    this.inner.applyGradients(variableGradients);
  }

  override dispose(): void {
    this.inner.dispose();
    // tfjs-core 4.22 MomentumOptimizer.dispose() does not call SGD's, so its -lr scalar `c` stays
    if (this.inner instanceof tf.MomentumOptimizer) {
      const c = (this.inner as unknown as {c?: tf.Tensor}).c;
      if (c instanceof tf.Tensor && !c.isDisposed) c.dispose();
    }
  }

  override getWeights(): Promise<NamedTensor[]> {
    return this.inner.getWeights();
  }

  override setWeights(weightValues: NamedTensor[]): Promise<void> {
    return this.inner.setWeights(weightValues);
  }

  /**
   * The wrapped optimizer's config fields, plus `{optimizer: {className, config}, schedule,
   * momentumSchedule, lr}`: the wrapped optimizer and the
   * schedules as JSON specs (see `scheduleSpec`); a hand-written schedule function is saved as
   * `null` with `lr` = the lr of the next step, and loaded as that constant (with a warning).
   */
  override getConfig(): tf.serialization.ConfigDict {
    // as JSON text with `_` escaped: tfjs-layers camel-cases every string of a loaded optimizer
    // config ('exp_range' → 'expRange'); the escaped text survives (as in grad-clip's ClippedOptimizer)
    const spec = (s?: Schedule): string | null => {
      const v = s ? scheduleSpec(s) : undefined;
      return v ? JSON.stringify(v).replace(/_/g, '\\u005f') : null;
    };
    const inner = this.inner.getConfig();
    return {
      ...inner, // the wrapped optimizer's own fields (learningRate, momentum, …) stay readable here
      optimizer: {className: this.inner.getClassName(), config: inner},
      schedule: spec(this.schedule),
      momentumSchedule: spec(this.momentum),
      lr: this.currentLr,
    };
  }

  /** Rebuilds the wrapper from {@link getConfig} (tfjs-layers `tf.loadLayersModel`). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const inner = config.optimizer as {className?: string; config?: tf.serialization.ConfigDict} | undefined;
    const entry = inner?.className ? tf.serialization.SerializationMap.getMap().classNameMap[inner.className] : undefined;
    if (!entry || !inner?.config) {
      throw new Error(`withSchedule: config.optimizer must name a registered optimizer class (tf.serialization.registerClass), got ${show(inner?.className)}`);
    }
    const optimizer = entry[1](entry[0], inner.config) as unknown as tf.Optimizer;
    let schedule: Schedule;
    if (config.schedule != null) schedule = scheduleFromSpec(JSON.parse(config.schedule as string) as ScheduleSpec);
    else {
      const lr = config.lr as number;
      console.warn(`withSchedule: the saved schedule was a hand-written function, which cannot be saved; it was restored as the constant lr ${lr}`);
      schedule = () => lr;
    }
    const momentum = config.momentumSchedule != null ? scheduleFromSpec(JSON.parse(config.momentumSchedule as string) as ScheduleSpec) : undefined;
    return new cls(optimizer, schedule, momentum ? {momentum} : {});
  }
}

/**
 * Drives a stock tfjs-core optimizer (sgd, momentum, adam, adamax, adagrad, adadelta, rmsprop)
 * by a schedule: before update i its learning rate becomes schedule(i). The update rule stays
 * tfjs's own (use {@link adam} and friends for PyTorch's rules).
 *
 * `tf.train.momentum` can also follow a momentum schedule (`opts.momentum`): before update i its
 * momentum becomes μ_i = momentum(i), so acc ← μ_i·acc + g; p ← p − lr_i·acc (Nesterov:
 * p ← p − lr_i·(g + μ_i·acc)). With the accumulator starting at 0 this is PyTorch's SGD
 * (no weight decay or dampening) under `OneCycleLR`/`CyclicLR(cycle_momentum=True)`. The other
 * stock optimizers keep their momentum/beta1 fixed: schedule those with {@link sgd},
 * {@link rmsprop}, {@link adam} or {@link adamw} from this package.
 *
 * Same as wrapping a PyTorch optimizer in an `LRScheduler`, or passing a Keras
 * `LearningRateSchedule` as `learning_rate`.
 *
 * ```ts
 * const opt = withSchedule(tf.train.momentum(0.1, 0.9), cosineDecay({initial: 0.1, decaySteps: 1000}));
 * model.compile({optimizer: opt, loss: 'categoricalCrossentropy'});
 * // one-cycle lr and momentum (PyTorch OneCycleLR with cycle_momentum=True)
 * const cyc = {maxValue: 0.1, totalSteps: 1000};
 * const opt1 = withSchedule(tf.train.momentum(0.1, 0.95), oneCycle(cyc), {momentum: oneCycleMomentum(cyc)});
 * ```
 * @param optimizer a tfjs-core optimizer (it is owned by the result: dispose the result)
 * @param schedule the lr per step
 * @param opts.momentum momentum per step, for `tf.train.momentum` only
 */
export function withSchedule<T extends tf.Optimizer>(optimizer: T, schedule: Schedule, opts: WithScheduleOptions = {}): ScheduledOptimizer<T> {
  registerOnce(ScheduledOptimizer); // so tf.loadLayersModel finds it in this process
  return new ScheduledOptimizer(optimizer, schedule, opts);
}
