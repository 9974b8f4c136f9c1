import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {checkOptions, fitModel, monitorValue, numberIn, resolveLogs, resolveMode, type RawLogs} from './logs';

/** Options of {@link earlyStopping}; defaults are Keras's. */
export interface EarlyStoppingOptions {
  /** the epoch log to watch (default 'val_loss') */
  monitor?: string;
  /** smallest change that counts as improvement, >= 0 (default 0) */
  minDelta?: number;
  /** epochs without improvement before stopping, integer >= 0 (default 0) */
  patience?: number;
  /** 'auto' (default), 'min' or 'max' */
  mode?: 'auto' | 'min' | 'max';
  /** training stops unless the metric beats this baseline within `patience` epochs (default none) */
  baseline?: number;
  /** at the end of training, put back the weights of the best epoch (default false) */
  restoreBestWeights?: boolean;
  /** epochs to wait before watching, integer >= 0 (default 0) */
  startFromEpoch?: number;
  /** print when stopping/restoring, 0 or 1 (default 0) */
  verbose?: 0 | 1;
}

/** See {@link earlyStopping}. */
export class EarlyStopping extends tfl.Callback {
  readonly monitor: string;
  private readonly mode: 'min' | 'max';
  private readonly minDelta: number;
  private readonly patience: number;
  private readonly baseline?: number;
  private readonly restoreBestWeights: boolean;
  private readonly startFromEpoch: number;
  private readonly verbose: number;
  private wait = 0;
  /** best monitored value so far */
  best = NaN;
  /** epoch of the best value (-1: none yet) */
  bestEpoch = -1;
  /** epoch at which training was stopped (0: not stopped) */
  stoppedEpoch = 0;
  private bestWeights: tf.Tensor[] | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    super();
    const fn = 'earlyStopping';
    checkOptions(fn, opts, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch', 'verbose']);
    const monitor = opts.monitor ?? 'val_loss';
    if (typeof monitor !== 'string' || monitor === '') throw new Error(`${fn}: monitor must be a non-empty string, got ${String(monitor)}`);
    this.monitor = monitor;
    this.mode = resolveMode(fn, opts.mode ?? 'auto', monitor);
    this.minDelta = numberIn(fn, 'minDelta', Math.abs(opts.minDelta ?? 0), 0, Infinity);
    this.patience = numberIn(fn, 'patience', opts.patience ?? 0, 0, Infinity, {int: true});
    if (opts.baseline !== undefined && (typeof opts.baseline !== 'number' || !Number.isFinite(opts.baseline))) {
      throw new Error(`${fn}: baseline must be a finite number, got ${String(opts.baseline)}`);
    }
    this.baseline = opts.baseline;
    if (opts.restoreBestWeights !== undefined && typeof opts.restoreBestWeights !== 'boolean') {
      throw new Error(`${fn}: restoreBestWeights must be true or false, got ${String(opts.restoreBestWeights)}`);
    }
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    this.startFromEpoch = numberIn(fn, 'startFromEpoch', opts.startFromEpoch ?? 0, 0, Infinity, {int: true});
    this.verbose = opts.verbose ?? 0;
  }

  /** Keras `_is_improvement`: monitor_op(current − minDelta, reference), minDelta signed by mode. */
  private improves(current: number, reference: number): boolean {
    if (Number.isNaN(reference)) return true;
    return this.mode === 'min' ? current + this.minDelta < reference : current - this.minDelta > reference;
  }

  private keepBest(model: tfl.LayersModel): void {
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = model.getWeights().map((w) => tf.clone(w));
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = NaN;
    this.bestEpoch = -1;
    if (this.bestWeights) tf.dispose(this.bestWeights);
    this.bestWeights = null;
  }

  override async onEpochEnd(epoch: number, logs?: RawLogs): Promise<void> {
    const current = monitorValue(await resolveLogs(logs), this.monitor, 'Early stopping');
    if (current === undefined || epoch < this.startFromEpoch) return;
    const model = fitModel(this, 'earlyStopping');
    if (this.restoreBestWeights && this.bestWeights === null) this.keepBest(model); // Keras: the first epoch's weights
    this.wait += 1;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.keepBest(model);
      if (this.baseline === undefined || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.stoppedEpoch > 0 && this.verbose) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights) {
      if (this.verbose) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      fitModel(this, 'earlyStopping').setWeights(this.bestWeights);
      tf.dispose(this.bestWeights);
      this.bestWeights = null;
    }
  }
}

/**
 * Stops `model.fit` when `monitor` has not improved by more than `minDelta` for `patience`
 * epochs (`baseline`: must also beat it); with `restoreBestWeights` the weights of the best
 * epoch are put back when training ends — which tfjs-layers' own `tf.callbacks.earlyStopping`
 * lacks. Keras 3 `callbacks.EarlyStopping` semantics, argument names in camelCase, same warning
 * when the monitored key is missing. Only the model's weights are restored, not the optimizer.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
 * const stop = callbacks.earlyStopping({monitor: 'loss', patience: 2, restoreBestWeights: true});
 * await model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {epochs: 5, callbacks: [stop], verbose: 0});
 * ```
 * @param opts see {@link EarlyStoppingOptions}
 */
export function earlyStopping(opts: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(opts);
}
