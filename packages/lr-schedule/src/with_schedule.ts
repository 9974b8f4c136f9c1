import * as tf from '@tensorflow/tfjs-core';
import type {Schedule} from './schedule';
import type {NamedTensor} from './torch_optimizer';

/** What withSchedule needs of a stock optimizer: the protected lr field and, for SGD/Momentum, its setter. */
interface StockOptimizer {
  learningRate?: number;
  setLearningRate?: (lr: number) => void;
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

  constructor(inner: T, schedule: Schedule) {
    super();
    if (inner == null || typeof (inner as unknown as tf.Optimizer).applyGradients !== 'function' ||
      !('learningRate' in (inner as object))) {
      throw new Error(`withSchedule: optimizer must be a tfjs-core optimizer with a learningRate, got ${String(inner)}`);
    }
    if (typeof schedule !== 'function') {
      throw new Error(`withSchedule: schedule must be a function (step) => number, got ${String(schedule)}`);
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
      throw new Error(`withSchedule: the schedule returned ${String(v)} at step ${this.step}; expected a finite number >= 0`);
    }
    return v;
  }

  /** Sets the inner optimizer's lr to `schedule(step)`, then lets it apply the gradients. */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const lr = this.currentLr;
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
  }

  override getWeights(): Promise<NamedTensor[]> {
    return this.inner.getWeights();
  }

  override setWeights(weightValues: NamedTensor[]): Promise<void> {
    return this.inner.setWeights(weightValues);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.inner.getConfig();
  }
}

/**
 * Drives a stock tfjs-core optimizer (sgd, momentum, adam, adamax, adagrad, adadelta, rmsprop)
 * by a schedule: before update i its learning rate becomes schedule(i). The update rule stays
 * tfjs's own (use {@link adam} and friends for PyTorch's rules).
 *
 * Same as wrapping a PyTorch optimizer in an `LRScheduler`, or passing a Keras
 * `LearningRateSchedule` as `learning_rate`.
 *
 * ```ts
 * const opt = withSchedule(tf.train.momentum(0.1, 0.9), cosineDecay({initial: 0.1, decaySteps: 1000}));
 * model.compile({optimizer: opt, loss: 'categoricalCrossentropy'});
 * ```
 * @param optimizer a tfjs-core optimizer (it is owned by the result: dispose the result)
 * @param schedule the lr per step
 */
export function withSchedule<T extends tf.Optimizer>(optimizer: T, schedule: Schedule): ScheduledOptimizer<T> {
  return new ScheduledOptimizer(optimizer, schedule);
}
