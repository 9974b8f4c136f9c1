import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {checkOptions, fitModel, monitorValue, resolveLogs, resolveMode, type RawLogs} from './logs';

/**
 * `model.save(url, {includeOptimizer})`, disposing the tensors the optimizer's `getWeights()` made
 * for it: tfjs-layers 4.22 encodes them and never disposes them (tfjs's own optimizers leak their
 * `iter` scalar per save; ours hand out copies of every slot). Live variables are left alone.
 */
export async function saveWithoutLeaks(model: tfl.LayersModel, url: string | tf.io.IOHandler, includeOptimizer: boolean): Promise<tf.io.SaveResult> {
  const opt = model.optimizer as tf.Optimizer & {getWeights: tf.Optimizer['getWeights']};
  if (!includeOptimizer || opt == null) return model.save(url, {includeOptimizer});
  const made: tf.Tensor[] = [];
  const own = Object.prototype.hasOwnProperty.call(opt, 'getWeights') ? opt.getWeights : undefined;
  const original = opt.getWeights;
  opt.getWeights = async () => {
    const ws = await original.call(opt);
    for (const w of ws) if (!(w.tensor instanceof tf.Variable)) made.push(w.tensor);
    return ws;
  };
  try {
    return await model.save(url, {includeOptimizer});
  } finally {
    if (own) opt.getWeights = own;
    else delete (opt as {getWeights?: unknown}).getWeights;
    tf.dispose(made);
  }
}

/** Options of {@link modelCheckpoint}; defaults are Keras's. */
export interface ModelCheckpointOptions {
  /**
   * where to save: a tfjs URL (`indexeddb://name`, `localstorage://name`, `file://dir` with a
   * file:// router registered, e.g. `registerFileSystem()` from `@stable-train/layers/node`);
   * `{epoch}` and `{<log key>}` are filled in (`file://ckpt/epoch-{epoch}-{val_loss}`)
   */
  filepath: string;
  /** the epoch log that decides "best" (default 'val_loss') */
  monitor?: string;
  /** save only when `monitor` improved (default false: every epoch) */
  saveBestOnly?: boolean;
  /** 'auto' (default), 'min' or 'max' */
  mode?: 'auto' | 'min' | 'max';
  /** save the weights only, without the optimizer (default false: includeOptimizer) */
  saveWeightsOnly?: boolean;
  /** print each save, 0 or 1 (default 0) */
  verbose?: 0 | 1;
}

/** See {@link modelCheckpoint}. */
export class ModelCheckpoint extends tfl.Callback {
  readonly filepath: string;
  readonly monitor: string;
  private readonly mode: 'min' | 'max';
  private readonly saveBestOnly: boolean;
  private readonly includeOptimizer: boolean;
  private readonly verbose: number;
  /** best monitored value so far (NaN: none) */
  best = NaN;
  /** URLs written, oldest first */
  readonly saved: string[] = [];

  constructor(opts: ModelCheckpointOptions) {
    super();
    const fn = 'modelCheckpoint';
    checkOptions(fn, opts, ['filepath', 'monitor', 'saveBestOnly', 'mode', 'saveWeightsOnly', 'verbose']);
    if (typeof opts.filepath !== 'string' || !/^[a-z]+:\/\/./.test(opts.filepath)) {
      throw new Error(`${fn}: filepath must be a tfjs URL such as 'indexeddb://name' or 'file://dir', got ${String(opts.filepath)}`);
    }
    const sample = opts.filepath.replace(/\{[^}]*\}/g, '0');
    if (tf.io.getSaveHandlers(sample).length === 0) {
      const hint = sample.startsWith('file://') ? "; in Node call registerFileSystem() from '@stable-train/layers/node' first (or use @tensorflow/tfjs-node)" : '';
      throw new Error(`${fn}: no tfjs save handler for ${JSON.stringify(opts.filepath)}${hint}`);
    }
    this.filepath = opts.filepath;
    this.monitor = opts.monitor ?? 'val_loss';
    this.mode = resolveMode(fn, opts.mode ?? 'auto', this.monitor);
    this.saveBestOnly = opts.saveBestOnly ?? false;
    this.includeOptimizer = !(opts.saveWeightsOnly ?? false);
    this.verbose = opts.verbose ?? 0;
  }

  /** The URL for this epoch: `{epoch}` (1-based, as Keras) and `{key}` replaced from the logs. */
  private urlFor(epoch: number, logs: Record<string, number>): string {
    return this.filepath.replace(/\{([^}:]+)(?::[^}]*)?\}/g, (m, key: string) => {
      if (key === 'epoch') return String(epoch + 1);
      return key in logs ? String(logs[key]) : m;
    });
  }

  override async onEpochEnd(epoch: number, logs?: RawLogs): Promise<void> {
    const l = await resolveLogs(logs);
    const model = fitModel(this, 'modelCheckpoint');
    const url = this.urlFor(epoch, l);
    if (this.saveBestOnly) {
      const current = monitorValue(l, this.monitor, `Can save best model only with ${this.monitor} available, skipping. Checkpointing is`);
      if (current === undefined) return;
      const better = Number.isNaN(this.best) || (this.mode === 'min' ? current < this.best : current > this.best);
      if (!better) return;
      if (this.verbose) console.log(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${this.best} to ${current}, saving model to ${url}`);
      this.best = current;
    } else if (this.verbose) console.log(`\nEpoch ${epoch + 1}: saving model to ${url}`);
    await saveWithoutLeaks(model, url, this.includeOptimizer);
    this.saved.push(url);
  }
}

/**
 * Saves the model (with its optimizer state) after each epoch, or only when `monitor`
 * improved (`saveBestOnly`), to a tfjs URL: `indexeddb://…` in browsers; `file://dir` in Node
 * after `registerFileSystem()` from `@stable-train/layers/node` (a `node:fs` handler kept out of
 * the browser entry). `{epoch}` and `{<log key>}` in the path are filled in. The filepath is
 * checked when the callback is made. Keras `callbacks.ModelCheckpoint`.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * import {registerFileSystem} from '@stable-train/layers/node';
 * registerFileSystem();
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: 'adam', loss: 'meanSquaredError'});
 * const ckpt = callbacks.modelCheckpoint({filepath: 'file:///tmp/st-ckpt', monitor: 'loss', saveBestOnly: true});
 * await model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {epochs: 2, callbacks: [ckpt], verbose: 0});
 * const back = await tf.loadLayersModel('file:///tmp/st-ckpt/model.json');
 * ```
 * @param opts see {@link ModelCheckpointOptions}
 */
export function modelCheckpoint(opts: ModelCheckpointOptions): ModelCheckpoint {
  return new ModelCheckpoint(opts);
}
