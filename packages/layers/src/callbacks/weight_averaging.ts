import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {ema, Ema, swa, Swa, WeightAverager} from '@stable-train/lr-schedule';
import {updateBatchNormStats} from '../update_batch_norm_stats';
import {checkOptions, fitModel, numberIn, resolveLogs, type RawLogs} from './logs';

/** Options of {@link weightAveraging}. */
export interface WeightAveragingOptions {
  /** 'ema' (default): exponential moving average (timm ModelEmaV2, Keras `use_ema`); 'swa': stochastic weight averaging (PyTorch AveragedModel) */
  kind?: 'ema' | 'swa';
  /** EMA decay d in e ← d·e + (1−d)·w, in [0, 1] (lr-schedule's default 0.9999; Keras `ema_momentum` 0.99) */
  decay?: number;
  /** EMA only: the first update copies the weights (PyTorch AveragedModel with an EMA avg_fn) (default false) */
  copyOnFirstUpdate?: boolean;
  /** an lr-schedule `ema()`/`swa()` to use instead of `kind` (it stays yours: not disposed) */
  averager?: WeightAverager;
  /** batch (counted from the callback's creation, across fits) before which the average starts as a copy of the weights (default 0) */
  start?: number;
  /** batches between two updates, from `start` on (default 1; SWA per epoch: batches per epoch) */
  every?: number;
  /** at the end of `fit`, swap the averaged weights into the model (Keras `use_ema` does this for good); `swapOut()` puts the live ones back (default false) */
  swapOnEnd?: boolean;
  /** `[x, y]` evaluated with the averaged weights at the end of every epoch: logged as `avg_val_loss` (and `avg_val_<metric>`) */
  validationData?: [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];
  /** inputs (the training set) for recomputing the batch-norm statistics each time the averaged weights are swapped in (`updateBatchNormStats`) */
  batchNormData?: tf.Tensor | tf.Tensor[];
  /** batch size of the evaluation and of the batch-norm pass (default 32) */
  batchSize?: number;
}

const KEYS = ['kind', 'decay', 'copyOnFirstUpdate', 'averager', 'start', 'every', 'swapOnEnd', 'validationData', 'batchNormData', 'batchSize'] as const;

/** See {@link weightAveraging}. */
export class WeightAveraging extends tfl.Callback {
  /** the lr-schedule averager: `values`, `nAveraged`, `getState`/`setState` for checkpoints */
  readonly averager: WeightAverager;
  readonly start: number;
  readonly every: number;
  /** batches ended since this callback was made (persists across `fit` calls) */
  step = 0;
  /** batches done at the last update or the initialisation; -1 before the initialisation */
  lastUpdate = -1;
  private readonly o: WeightAveragingOptions;
  private readonly owned: boolean;
  /** the non-trainable weights (moving statistics) replaced by a batch-norm pass while swapped in */
  private savedStats: tf.Tensor[] | null = null;

  constructor(opts: WeightAveragingOptions = {}) {
    super();
    const fn = 'weightAveraging';
    checkOptions(fn, opts, KEYS);
    const kind = opts.kind ?? 'ema';
    if (kind !== 'ema' && kind !== 'swa') throw new Error(`${fn}: kind must be 'ema' or 'swa', got ${String(kind)}`);
    if (kind === 'swa' && (opts.decay !== undefined || opts.copyOnFirstUpdate !== undefined)) throw new Error(`${fn}: decay and copyOnFirstUpdate are EMA options, got kind 'swa'`);
    if (opts.averager !== undefined && !(opts.averager instanceof WeightAverager)) throw new Error(`${fn}: averager must be lr-schedule's ema() or swa(), got ${String(opts.averager)}`);
    if (opts.averager && (opts.kind !== undefined || opts.decay !== undefined || opts.copyOnFirstUpdate !== undefined)) throw new Error(`${fn}: give either averager or kind/decay/copyOnFirstUpdate`);
    this.start = numberIn(fn, 'start', opts.start ?? 0, 0, Infinity, {int: true});
    this.every = numberIn(fn, 'every', opts.every ?? 1, 1, Infinity, {int: true});
    numberIn(fn, 'batchSize', opts.batchSize ?? 32, 2, Infinity, {int: true});
    if (opts.swapOnEnd !== undefined && typeof opts.swapOnEnd !== 'boolean') throw new Error(`${fn}: swapOnEnd must be a boolean, got ${String(opts.swapOnEnd)}`);
    if (opts.validationData !== undefined && !(Array.isArray(opts.validationData) && opts.validationData.length === 2)) {
      throw new Error(`${fn}: validationData must be [x, y], got ${String(opts.validationData)}`);
    }
    this.o = opts;
    this.owned = !opts.averager;
    this.averager = opts.averager ?? (kind === 'ema' ? ema({...(opts.decay === undefined ? {} : {decay: opts.decay}), copyOnFirstUpdate: opts.copyOnFirstUpdate ?? false}) : swa());
  }

  /** True while the averaged weights are in the model (after `swapIn`, or `swapOnEnd`). */
  get swapped(): boolean {
    return this.savedStats !== null;
  }

  /**
   * Puts the averaged weights into the model (its trainable weights, matched by name), keeping the
   * live ones for {@link swapOut}; with `batchNormData`, recomputes the batch-norm statistics for
   * them (the live statistics are kept too).
   */
  async swapIn(): Promise<void> {
    const model = fitModel(this, 'weightAveraging');
    if (this.lastUpdate < 0) throw new Error(`weightAveraging: no average yet (it starts before batch ${this.start}; ${this.step} batches so far)`);
    this.averager.swapIn(model.trainableWeights);
    this.savedStats = model.nonTrainableWeights.map((w) => tf.clone(w.read()));
    if (this.o.batchNormData) await updateBatchNormStats(model, this.o.batchNormData, {batchSize: this.o.batchSize ?? 32});
  }

  /** Puts the live weights (and batch-norm statistics) back. */
  swapOut(): void {
    const model = fitModel(this, 'weightAveraging');
    if (!this.savedStats) throw new Error('weightAveraging.swapOut: the averaged weights are not swapped in');
    model.nonTrainableWeights.forEach((w, i) => w.write(this.savedStats![i]));
    tf.dispose(this.savedStats);
    this.savedStats = null;
    this.averager.swapOut();
  }

  override async onTrainBegin(): Promise<void> {
    if (this.swapped) this.swapOut(); // a new fit trains the live weights
  }

  override async onBatchBegin(): Promise<void> {
    if (this.lastUpdate >= 0 || this.step < this.start) return;
    this.averager.init(fitModel(this, 'weightAveraging').trainableWeights);
    this.lastUpdate = this.step;
  }

  override async onBatchEnd(_batch: number, logs?: RawLogs): Promise<void> {
    this.step += 1;
    const slot = (n: number): number => Math.floor((n - this.start) / this.every);
    if (this.lastUpdate < 0 || slot(this.step) <= slot(this.lastUpdate)) return;
    // a batch whose loss is not finite (its weights are broken, or a guard rolled them back) is not averaged; the update waits for the next batch
    const loss = (await resolveLogs(logs)).loss;
    if (loss !== undefined && !Number.isFinite(loss)) return;
    this.averager.update(fitModel(this, 'weightAveraging').trainableWeights);
    this.lastUpdate = this.step;
  }

  override async onEpochEnd(_epoch: number, logs?: RawLogs): Promise<void> {
    const v = this.o.validationData;
    if (!v || this.lastUpdate < 0 || logs == null) return;
    const model = fitModel(this, 'weightAveraging');
    await this.swapIn();
    try {
      const r = model.evaluate(v[0], v[1], {batchSize: this.o.batchSize ?? 32});
      const rs = Array.isArray(r) ? r : [r];
      const vals = await Promise.all(rs.map((t) => t.data()));
      tf.dispose(rs);
      model.metricsNames.forEach((name, i) => (logs[`avg_val_${name}`] = vals[i][0]));
    } finally {
      this.swapOut();
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.o.swapOnEnd && this.lastUpdate >= 0) await this.swapIn();
  }

  /** Frees the average (when the callback made it) and any swapped-out live weights. */
  dispose(): void {
    if (this.savedStats) {
      tf.dispose(this.savedStats);
      this.savedStats = null;
    }
    if (this.owned) this.averager.dispose();
  }

  /** 'ema' or 'swa' (or the averager's class name). */
  get kind(): string {
    return this.averager instanceof Ema ? 'ema' : this.averager instanceof Swa ? 'swa' : this.averager.constructor.name;
  }
}

/**
 * Keeps an average of the model's trainable weights during `model.fit`: an EMA (timm
 * `ModelEmaV2`, Keras `optimizer(use_ema=True)`, e ← d·e + (1−d)·w after every batch) or SWA
 * (PyTorch `swa_utils.AveragedModel`, the running mean of the weights after every `every`-th
 * batch from `start` on). The formulas are lr-schedule's `ema`/`swa`, exposed as `averager`.
 * The average starts as a copy of the weights before batch `start`; a batch whose loss is not
 * finite is not averaged. With `validationData`, each epoch ends with an evaluation with the
 * averaged weights (`avg_val_loss`, `avg_val_<metric>` in the logs and `History`; Keras
 * `SwapEMAWeights` swaps them in for validation); `swapIn()`/`swapOut()` evaluate or save with
 * them at any time, and `swapOnEnd` leaves them in the model after `fit`. With `batchNormData`
 * the batch-norm statistics are recomputed whenever they are swapped in (`updateBatchNormStats`,
 * PyTorch `update_bn`) and the live ones put back on `swapOut`.
 *
 * Keras `callbacks.SwapEMAWeights` and `use_ema`/`ema_momentum`; PyTorch `swa_utils`.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
 * const [x, y] = [tf.randomNormal([32, 2]), tf.randomNormal([32, 1])];
 * const avg = callbacks.weightAveraging({kind: 'ema', decay: 0.9, validationData: [x, y], swapOnEnd: true});
 * const h = await model.fit(x, y, {epochs: 2, batchSize: 8, callbacks: [avg], verbose: 0});
 * console.log(h.history.avg_val_loss.length, avg.averager.nAveraged, avg.swapped); // 2 8 true
 * avg.swapOut(); // back to the live weights
 * avg.dispose();
 * ```
 * @param opts see {@link WeightAveragingOptions}
 */
export function weightAveraging(opts: WeightAveragingOptions = {}): WeightAveraging {
  return new WeightAveraging(opts);
}
