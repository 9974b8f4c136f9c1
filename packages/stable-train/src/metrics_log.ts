import * as tf from '@tensorflow/tfjs-core';
import {boundedPush} from './bounded_push';
import {packMetrics, unpackMetrics, type StepMetrics} from './step_metrics';
import type {NamedTensorMap} from './types';

/** What one logged step hands to `MetricsLog.log` (the tensors stay owned by the step). */
export interface LoggedStep {
  step: number;
  epoch: number;
  lr: number;
  skipped: number;
  loss: tf.Scalar;
  grads: NamedTensorMap;
  clipped: NamedTensorMap;
  /** Copies of the weights taken before the update (freed by the caller after `log`). */
  before: NamedTensorMap;
  params: {[name: string]: tf.Variable};
  /** Σg² per gradient from the step's measurement, when it made one. */
  sumSquares?: {[name: string]: number};
}

/**
 * The metrics stage: every `logEvery` steps the device-side numbers are packed into one tensor and
 * read back asynchronously (no stall); the decoded `StepMetrics` go to `history` (bounded) and to
 * `onStep`. `flush` waits for the reads still pending.
 */
export class MetricsLog {
  readonly history: StepMetrics[] = [];
  private pending: Promise<void>[] = [];
  private readonly t0 = Date.now();

  /**
   * @param maxRecords the most entries `history` keeps
   * @param layers whether to report per-variable norms
   * @param onStep called with each step's metrics
   */
  constructor(
    private readonly maxRecords: number,
    private readonly layers: boolean,
    private readonly onStep?: (m: StepMetrics) => void,
  ) {}

  /** Starts the asynchronous read of one logged step's metrics. */
  log(s: LoggedStep): void {
    const packed = packMetrics(s.loss, s.grads, s.clipped, s.before, s.params, this.layers, s.sumSquares);
    const base = {step: s.step, epoch: s.epoch, lr: s.lr, timeMs: Date.now() - this.t0, skipped: s.skipped};
    const names = Object.keys(s.params);
    this.pending.push(
      packed.data().then((d) => {
        packed.dispose();
        const m = unpackMetrics(d as Float32Array, names, base, this.layers);
        boundedPush(this.history, m, this.maxRecords);
        try {
          this.onStep?.(m);
        } catch (err) {
          throw new Error(`Trainer: the onStep callback threw at step ${s.step}: ${(err as Error)?.message ?? String(err)}`);
        }
      }),
    );
  }

  /** Waits for every pending read. */
  async flush(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
  }
}

/**
 * Copies of the variables taken before a logged update (for ‖Δw‖); the caller frees them.
 * @param params the trainable variables by name
 */
export function weightsBefore(params: {[name: string]: tf.Variable}): NamedTensorMap {
  const out: NamedTensorMap = {};
  for (const k of Object.keys(params)) out[k] = tf.clone(params[k]);
  return out;
}
