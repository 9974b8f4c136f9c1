import * as tfl from '@tensorflow/tfjs-layers';
import {getOptimizerLr, setOptimizerLr, type Schedule} from '@stable-train/lr-schedule';
import {checkOptions, fitModel, type RawLogs} from './logs';

/** Options of {@link learningRateScheduler}. */
export interface LearningRateSchedulerOptions {
  /** 'epoch' (default, Keras): lr = schedule(epoch) before each epoch; 'batch': lr = schedule(step) before each batch */
  per?: 'batch' | 'epoch';
  /** print each change (Keras `verbose`), 0 or 1 (default 0) */
  verbose?: 0 | 1;
}

/** See {@link learningRateScheduler}. */
export class LearningRateScheduler extends tfl.Callback {
  readonly schedule: Schedule;
  readonly per: 'batch' | 'epoch';
  private readonly verbose: number;
  /** batches begun since this callback was made (persists across `fit` calls): the schedule's step with `per: 'batch'` */
  step = 0;
  /** the lr set last (NaN before the first) */
  lastLr = NaN;

  constructor(schedule: Schedule, opts: LearningRateSchedulerOptions = {}) {
    super();
    const fn = 'learningRateScheduler';
    if (typeof schedule !== 'function') throw new Error(`${fn}: schedule must be a function (step) => number, got ${String(schedule)}`);
    checkOptions(fn, opts, ['per', 'verbose']);
    const per = opts.per ?? 'epoch';
    if (per !== 'batch' && per !== 'epoch') throw new Error(`${fn}: per must be 'batch' or 'epoch', got ${String(per)}`);
    this.schedule = schedule;
    this.per = per;
    this.verbose = opts.verbose ?? 0;
  }

  /**
   * factor kept on top of the schedule: when something else changed the lr since this callback
   * set it (reduceLROnPlateau's cut, explosionGuard's cut), the ratio is folded in here, so the
   * cut persists: lr = schedule(i) · scale
   */
  scale = 1;

  private apply(i: number, what: string): void {
    const v = this.schedule(i);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`learningRateScheduler: the schedule returned ${String(v)} at ${what} ${i}; expected a finite number >= 0`);
    }
    const opt = fitModel(this, 'learningRateScheduler').optimizer;
    const now = getOptimizerLr(opt);
    if (this.lastLr > 0 && Number.isFinite(now) && now !== this.lastLr) this.scale *= now / this.lastLr;
    const lr = v * this.scale;
    setOptimizerLr(opt, lr);
    if (this.verbose && lr !== this.lastLr) console.log(`\n${what === 'epoch' ? 'Epoch' : 'Step'} ${i + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
    this.lastLr = lr;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    if (this.per === 'epoch') this.apply(epoch, 'epoch');
  }

  override async onBatchBegin(): Promise<void> {
    if (this.per === 'batch') this.apply(this.step, 'step');
    this.step += 1;
  }

  override async onEpochEnd(_epoch: number, logs?: RawLogs): Promise<void> {
    if (logs) logs.lr = this.lastLr; // Keras adds `learning_rate`; tfjs keys stay short
  }
}

/**
 * Sets the optimizer's learning rate from a schedule: before epoch e, lr = schedule(e)
 * (`per: 'epoch'`, Keras `LearningRateScheduler`); or before batch i, lr = schedule(i)
 * (`per: 'batch'`, i counted from the callback's creation, PyTorch's `scheduler.step()` per
 * iteration). Cuts made by other callbacks between two settings (`reduceLROnPlateau`,
 * `explosionGuard`) are kept as a factor: lr = schedule(i) · scale, scale = product of
 * (lr found / lr set), as the umbrella's Trainer multiplies its schedule by the guard's cut. Any lr-schedule `Schedule` works (`cosineDecay`, `warmupCosine`, `oneCycle`, …).
 * The lr is set the way each optimizer reads it (`setOptimizerLr`: tfjs SGD/Momentum through
 * `setLearningRate`, Adam & co. through the field, our optimizers through `lr`; `withClipping`
 * and `applyIfFinite` unwrapped), so the value set is the value the next update uses. An
 * optimizer that already follows a schedule (`withSchedule`, `adam({lr: schedule})`) is refused.
 * Adds `lr` to the epoch logs.
 *
 * Keras `callbacks.LearningRateScheduler(schedule)`; PyTorch `LambdaLR`.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * import {cosineDecay} from '@stable-train/lr-schedule';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
 * const sched = callbacks.learningRateScheduler(cosineDecay({initial: 0.1, decaySteps: 8}), {per: 'batch'});
 * await model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {epochs: 2, batchSize: 2, callbacks: [sched], verbose: 0});
 * ```
 * @param schedule the lr per epoch or per step
 * @param opts.per 'epoch' (default) or 'batch'
 * @param opts.verbose 1: print each change
 */
export function learningRateScheduler(schedule: Schedule, opts: LearningRateSchedulerOptions = {}): LearningRateScheduler {
  return new LearningRateScheduler(schedule, opts);
}
