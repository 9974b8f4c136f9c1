import * as tfl from '@tensorflow/tfjs-layers';
import {getOptimizerLr, ReduceOnPlateau, setOptimizerLr} from '@stable-train/lr-schedule';
import {checkOptions, fitModel, monitorValue, numberIn, resolveLogs, resolveMode, type RawLogs} from './logs';

/** Options of {@link reduceLROnPlateau}; defaults are Keras's. */
export interface ReduceLROnPlateauOptions {
  /** the epoch log to watch (default 'val_loss') */
  monitor?: string;
  /** new lr = max(lr · factor, minLr), in (0, 1) (default 0.1) */
  factor?: number;
  /** epochs without improvement before a cut, integer >= 0 (default 10) */
  patience?: number;
  /** smallest change that counts as improvement, >= 0 (default 1e-4) */
  minDelta?: number;
  /** epochs to wait after a cut before counting again, integer >= 0 (default 0) */
  cooldown?: number;
  /** lower bound of the lr, >= 0 (default 0) */
  minLr?: number;
  /** 'auto' (default: max for accuracy-like names), 'min' or 'max' */
  mode?: 'auto' | 'min' | 'max';
  /** print each cut, 0 or 1 (default 0) */
  verbose?: 0 | 1;
}

/** See {@link reduceLROnPlateau}. */
export class ReduceLROnPlateau extends tfl.Callback {
  readonly monitor: string;
  private readonly opts: Required<Omit<ReduceLROnPlateauOptions, 'monitor' | 'mode'>> & {mode: 'min' | 'max'};
  private controller?: ReduceOnPlateau;

  constructor(opts: ReduceLROnPlateauOptions = {}) {
    super();
    const fn = 'reduceLROnPlateau';
    checkOptions(fn, opts, ['monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode', 'verbose']);
    const monitor = opts.monitor ?? 'val_loss';
    if (typeof monitor !== 'string' || monitor === '') throw new Error(`${fn}: monitor must be a non-empty string, got ${String(monitor)}`);
    // Keras: "ReduceLROnPlateau does not support a factor >= 1.0"
    const factor = numberIn(fn, 'factor', opts.factor ?? 0.1, 0, 1, {openLo: true, openHi: true});
    this.monitor = monitor;
    this.opts = {
      factor,
      patience: numberIn(fn, 'patience', opts.patience ?? 10, 0, Infinity, {int: true}),
      minDelta: numberIn(fn, 'minDelta', opts.minDelta ?? 1e-4, 0, Infinity),
      cooldown: numberIn(fn, 'cooldown', opts.cooldown ?? 0, 0, Infinity, {int: true}),
      minLr: numberIn(fn, 'minLr', opts.minLr ?? 0, 0, Infinity),
      mode: resolveMode(fn, opts.mode ?? 'auto', monitor),
      verbose: opts.verbose ?? 0,
    };
  }

  /** The plateau controller's state (best value, counters, reductions); undefined before training. */
  getState(): ReturnType<ReduceOnPlateau['getState']> | undefined {
    return this.controller?.getState();
  }

  override async onTrainBegin(): Promise<void> {
    if (this.controller) return; // keeps counting across fit calls, as Keras does within one
    const lr = getOptimizerLr(fitModel(this, 'reduceLROnPlateau').optimizer);
    if (!(lr > 0)) throw new Error(`reduceLROnPlateau: cannot read a learning rate > 0 from the optimizer, got ${lr}`);
    const o = this.opts;
    // lr-schedule's controller has PyTorch's counting (cut when bad epochs > patience; cooldown
    // epochs frozen); Keras cuts when bad epochs >= patience and its cooldown freezes one epoch
    // fewer, and cuts whenever lr > minLr (eps 0).
    this.controller = new ReduceOnPlateau({
      initial: lr, mode: o.mode, factor: o.factor, patience: Math.max(0, o.patience - 1), threshold: o.minDelta,
      thresholdMode: 'abs', cooldown: Math.max(0, o.cooldown - 1), minValue: o.minLr, eps: 0,
    });
  }

  override async onEpochEnd(epoch: number, logs?: RawLogs): Promise<void> {
    const l = await resolveLogs(logs);
    const opt = fitModel(this, 'reduceLROnPlateau').optimizer;
    const c = this.controller!;
    // start from the lr the optimizer has now (another callback may have changed it)
    const now = getOptimizerLr(opt);
    if (now > 0 && now !== c.value) c.setState({...c.getState(), value: now});
    if (logs) logs.lr = c.value;
    const current = monitorValue(l, this.monitor, 'Learning rate reduction is');
    if (current === undefined) return;
    const before = c.value;
    const after = c.step(current);
    if (after !== before) {
      setOptimizerLr(opt, after);
      if (logs) logs.lr = after;
      if (this.opts.verbose) console.log(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${after}.`);
    }
  }
}

/**
 * Cuts the learning rate when a metric stops improving: after `patience` epochs in which
 * `monitor` did not improve by more than `minDelta`, lr ← max(lr · factor, minLr), then
 * `cooldown` epochs pass before counting again. Keras semantics and argument names
 * (`callbacks.ReduceLROnPlateau`), with the counting done by lr-schedule's `ReduceOnPlateau`
 * (PyTorch's controller; patience and cooldown are translated). Warns as Keras does when the
 * monitored key is missing. Adds `lr` to the epoch logs.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
 * const plateau = callbacks.reduceLROnPlateau({monitor: 'loss', factor: 0.5, patience: 2});
 * await model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {epochs: 4, callbacks: [plateau], verbose: 0});
 * ```
 * @param opts see {@link ReduceLROnPlateauOptions}
 */
export function reduceLROnPlateau(opts: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(opts);
}
