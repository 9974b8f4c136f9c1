import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {RunningMedian} from '@stable-train/grad-clip';
import {getOptimizerLr, setOptimizerLr} from '@stable-train/lr-schedule';
import {checkOptions, fitModel, numberIn, resolveLogs, type RawLogs} from './logs';

/** Options of {@link explosionGuard}. */
export interface ExplosionGuardOptions {
  /** a loss above `spikeFactor ×` the running median is a spike, > 1 (default 10; Infinity: only non-finite losses) */
  spikeFactor?: number;
  /** good batches the running median covers, integer >= 1 (default 50) */
  window?: number;
  /** good batches seen before spikes are judged, integer >= 0 (default 10) */
  warmup?: number;
  /** lr ← lr · lrFactor at each rollback, in (0, 1] (default 0.5) */
  lrFactor?: number;
  /** rollbacks allowed; the next bad batch gives up, integer >= 0 (default 5) */
  maxRollbacks?: number;
  /** snapshot the weights and optimizer state every this many good batches, integer >= 1 (default 1) */
  snapshotEvery?: number;
  /** on giving up: 'stop' (default) ends fit through `model.stopTraining`; 'throw' rejects fit */
  onGiveUp?: 'stop' | 'throw';
  /** print each event, 0 or 1 (default 1) */
  verbose?: 0 | 1;
}

/** One thing the guard did. */
export interface GuardEvent {
  epoch: number;
  batch: number;
  /** 'non-finite' or 'spike': what was wrong; 'give-up': the rollback budget was spent */
  kind: 'non-finite' | 'spike' | 'give-up';
  loss: number;
  /** the running median of the loss at the time */
  median: number;
  /** the lr after the event (NaN when it cannot be read) */
  lr: number;
}

type Snapshot = {weights: tf.Tensor[]; optimizer: {name: string; tensor: tf.Tensor}[]};

/** See {@link explosionGuard}. */
export class ExplosionGuard extends tfl.Callback {
  private readonly o: Required<ExplosionGuardOptions>;
  private readonly median: RunningMedian;
  private snapshot: Snapshot | null = null;
  private goodSinceSnapshot = 0;
  private epoch = 0;
  /** rollbacks so far */
  rollbacks = 0;
  /** everything the guard did, oldest first */
  readonly events: GuardEvent[] = [];

  constructor(opts: ExplosionGuardOptions = {}) {
    super();
    const fn = 'explosionGuard';
    checkOptions(fn, opts, ['spikeFactor', 'window', 'warmup', 'lrFactor', 'maxRollbacks', 'snapshotEvery', 'onGiveUp', 'verbose']);
    const onGiveUp = opts.onGiveUp ?? 'stop';
    if (onGiveUp !== 'stop' && onGiveUp !== 'throw') throw new Error(`${fn}: onGiveUp must be 'stop' or 'throw', got ${String(onGiveUp)}`);
    this.o = {
      spikeFactor: numberIn(fn, 'spikeFactor', opts.spikeFactor ?? 10, 1, Infinity, {openLo: true}),
      window: numberIn(fn, 'window', opts.window ?? 50, 1, Infinity, {int: true}),
      warmup: numberIn(fn, 'warmup', opts.warmup ?? 10, 0, Infinity, {int: true}),
      lrFactor: numberIn(fn, 'lrFactor', opts.lrFactor ?? 0.5, 0, 1, {openLo: true}),
      maxRollbacks: numberIn(fn, 'maxRollbacks', opts.maxRollbacks ?? 5, 0, Infinity, {int: true}),
      snapshotEvery: numberIn(fn, 'snapshotEvery', opts.snapshotEvery ?? 1, 1, Infinity, {int: true}),
      onGiveUp,
      verbose: opts.verbose ?? 1,
    };
    this.median = new RunningMedian(this.o.window);
  }

  private async takeSnapshot(model: tfl.LayersModel): Promise<void> {
    const weights = model.getWeights().map((w) => tf.clone(w));
    const raw = await model.optimizer.getWeights();
    // tfjs's own optimizers hand out their live variables, ours hand out copies: keep copies only
    const optimizer = raw.map((w) => ({name: w.name, tensor: tf.clone(w.tensor)}));
    tf.dispose(raw.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
    this.dropSnapshot();
    this.snapshot = {weights, optimizer};
    this.goodSinceSnapshot = 0;
  }

  private dropSnapshot(): void {
    if (!this.snapshot) return;
    tf.dispose(this.snapshot.weights);
    tf.dispose(this.snapshot.optimizer.map((w) => w.tensor));
    this.snapshot = null;
  }

  private async rollBack(model: tfl.LayersModel): Promise<void> {
    const s = this.snapshot!;
    model.setWeights(s.weights);
    if (s.optimizer.length > 0) {
      const old = await model.optimizer.getWeights();
      await model.optimizer.setWeights(s.optimizer);
      // tfjs's own optimizers replace their slot variables in setWeights (the old ones would
      // leak); ours assign in place and handed out copies: either way `old` is free to go
      tf.dispose(old.map((w) => w.tensor));
    }
  }

  override async onTrainBegin(): Promise<void> {
    await this.takeSnapshot(fitModel(this, 'explosionGuard'));
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onBatchEnd(batch: number, logs?: RawLogs): Promise<void> {
    const loss = (await resolveLogs(logs)).loss;
    if (loss === undefined) return;
    const model = fitModel(this, 'explosionGuard');
    const kind = !Number.isFinite(loss) ? 'non-finite' : this.median.isSpike(loss, this.o.spikeFactor, this.o.warmup) ? 'spike' : null;
    if (kind === null) {
      this.median.push(loss);
      this.goodSinceSnapshot += 1;
      if (this.goodSinceSnapshot >= this.o.snapshotEvery) await this.takeSnapshot(model);
      return;
    }
    const med = this.median.median();
    if (this.rollbacks >= this.o.maxRollbacks) {
      const ev: GuardEvent = {epoch: this.epoch, batch, kind: 'give-up', loss, median: med, lr: getOptimizerLr(model.optimizer)};
      this.events.push(ev);
      const msg = `explosionGuard: epoch ${this.epoch} batch ${batch}: loss ${loss} (${kind}) after ${this.rollbacks} rollbacks (maxRollbacks ${this.o.maxRollbacks}); giving up`;
      await this.rollBack(model); // leave the last good weights in the model
      if (this.o.onGiveUp === 'throw') throw new Error(`${msg}. Lower the lr, clip the gradients or check the data`);
      console.warn(`${msg}; training stopped at the last good weights`);
      model.stopTraining = true;
      return;
    }
    await this.rollBack(model);
    this.rollbacks += 1;
    let lr = getOptimizerLr(model.optimizer);
    try {
      if (Number.isFinite(lr)) {
        lr *= this.o.lrFactor;
        setOptimizerLr(model.optimizer, lr);
      }
    } catch {
      lr = getOptimizerLr(model.optimizer); // its lr is a schedule: rolled back, not cut
    }
    this.events.push({epoch: this.epoch, batch, kind, loss, median: med, lr});
    if (this.o.verbose) {
      const why = kind === 'spike' ? `${loss} is ${(loss / med).toFixed(1)}× the running median ${med}` : `${loss}`;
      console.warn(`explosionGuard: epoch ${this.epoch} batch ${batch}: loss ${why}; rolled back to the last good weights and optimizer state, lr now ${lr} (rollback ${this.rollbacks}/${this.o.maxRollbacks})`);
    }
  }

  override async onEpochEnd(_epoch: number, logs?: RawLogs): Promise<void> {
    if (logs) logs.rollbacks = this.rollbacks;
  }

  override async onTrainEnd(): Promise<void> {
    this.dropSnapshot();
  }
}

/**
 * Guards `model.fit` against exploding training: after each batch, a loss that is NaN/±Infinity
 * or a spike (loss > spikeFactor × the running median of the last `window` good losses, once
 * `warmup` are held) rolls the model back to the last good weights **and optimizer state**
 * (snapshot every `snapshotEvery` good batches), multiplies the lr by `lrFactor`, and is
 * recorded in `events` (and `rollbacks` in the epoch logs). After `maxRollbacks` rollbacks the
 * next bad batch gives up: training stops at the last good weights (or fit rejects, with
 * `onGiveUp: 'throw'`). Costs one read of the loss per batch and a copy of the weights per snapshot.
 *
 * The spike rule is grad-clip's `RunningMedian.isSpike`, as in the umbrella's `ExplosionGuard`.
 * Fairseq (skip on overflow), Megatron and PaLM (roll back after spikes,
 * https://arxiv.org/abs/2204.02311 §5.1) do parts of this.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
 * const guard = callbacks.explosionGuard({spikeFactor: 20, maxRollbacks: 3});
 * await model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {epochs: 2, batchSize: 4, callbacks: [guard], verbose: 0});
 * console.log(guard.events);
 * ```
 * @param opts see {@link ExplosionGuardOptions}
 */
export function explosionGuard(opts: ExplosionGuardOptions = {}): ExplosionGuard {
  return new ExplosionGuard(opts);
}
