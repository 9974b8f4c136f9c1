import * as tf from '@tensorflow/tfjs-core';
import {Snapshot} from './snapshot';

/** The JSON part of a `TrainState` (its tensors are written separately). */
export interface TrainStateJson {
  step: number;
  epoch: number;
  /** Sum of the applied steps' losses since the epoch began (float32), null when none yet. */
  lossSum: number | string | null;
  lossCount: number;
  /** Good steps since the rollback snapshot was taken. */
  goodSinceSnapshot: number;
}

/**
 * Everything of the training loop a step depends on besides the model, the optimizer, the guard
 * and the `stateful` objects: the step and epoch counters, the epoch's running loss (kept on
 * device) and the rollback snapshot with its counter. Checkpoints save and restore it whole, so
 * a resumed run takes bit-identical steps. `step` and `epoch` are read-only from outside; the
 * Trainer and the fit loop move them through `advance` and `enterEpoch`.
 */
export class TrainState {
  private step_ = 0;
  private epoch_ = 0;
  private lossSum: tf.Scalar | null = null;
  private lossCount = 0;
  /** The rollback snapshot (policy 'rollback'), or null. */
  snapshot: Snapshot | null = null;
  goodSinceSnapshot = 0;

  /** Steps taken so far (applied or not); the next step's index. */
  get step(): number {
    return this.step_;
  }

  /** The epoch the current step belongs to. */
  get epoch(): number {
    return this.epoch_;
  }

  /** Counts one step taken. */
  advance(): void {
    this.step_++;
  }

  /**
   * Sets the epoch; when it is a new epoch (or `fresh`), the running loss starts afresh.
   * @param epoch the epoch index, integer >= 0
   */
  enterEpoch(epoch: number): void {
    if (!(Number.isInteger(epoch) && epoch >= 0)) throw new Error(`TrainState.enterEpoch: epoch must be an integer >= 0, got ${epoch}`);
    this.epoch_ = epoch;
  }

  /** Adds an applied step's loss to the epoch's running sum (on device, no read). */
  addLoss(loss: tf.Scalar): void {
    const prev = this.lossSum;
    this.lossSum = tf.tidy(() => {
      const l = loss.dtype === 'float32' ? loss : tf.cast(loss, 'float32');
      return (prev ? tf.add(prev, l) : tf.clone(l)) as tf.Scalar;
    });
    prev?.dispose();
    this.lossCount++;
  }

  /** Mean loss since the last call (NaN when a step's loss was not finite, or none), then resets it. */
  async takeMeanLoss(): Promise<number> {
    const sum = this.lossSum;
    const n = this.lossCount;
    this.lossSum = null;
    this.lossCount = 0;
    if (!sum) return NaN;
    const v = (await sum.data())[0];
    sum.dispose();
    return v / n;
  }

  /** The JSON part, for checkpoints (one read of the running loss). */
  async toJson(): Promise<TrainStateJson> {
    return {
      step: this.step_, epoch: this.epoch_, lossSum: this.lossSum ? numJson((await this.lossSum.data())[0]) : null,
      lossCount: this.lossCount, goodSinceSnapshot: this.goodSinceSnapshot,
    };
  }

  /**
   * Restores what `toJson` wrote; every field is checked first.
   * @param j the saved state
   * @param where the checkpoint, for errors
   */
  fromJson(j: TrainStateJson, where: string): void {
    const nonNegInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
    const bad = (['step', 'epoch', 'lossCount', 'goodSinceSnapshot'] as const).filter((k) => !nonNegInt(j?.[k]));
    if (j?.lossSum !== null && typeof j?.lossSum !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(j?.lossSum as string)) bad.push('lossSum' as never);
    if (bad.length) throw new Error(`restore: ${where} has an invalid training state: ${bad.map((k) => `${k} = ${JSON.stringify(j?.[k])}`).join(', ')}`);
    this.step_ = j.step;
    this.epoch_ = j.epoch;
    this.lossSum?.dispose();
    this.lossSum = j.lossSum === null ? null : tf.scalar(Number(j.lossSum), 'float32');
    this.lossCount = j.lossCount;
    this.goodSinceSnapshot = j.goodSinceSnapshot;
  }

  /** Frees the running loss and the snapshot. */
  dispose(): void {
    this.lossSum?.dispose();
    this.lossSum = null;
    this.lossCount = 0;
    this.snapshot?.dispose();
    this.snapshot = null;
  }
}

const numJson = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
