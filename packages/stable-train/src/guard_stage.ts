import type * as tf from '@tensorflow/tfjs-core';
import {boundedPush} from './bounded_push';
import type {ExplosionGuard, GuardVerdict, StepStats} from './guard';
import {Snapshot} from './snapshot';
import type {TrainState} from './train_state';
import type {GuardRecord, StepResult} from './trainer_options';
import type {Module, TrainerEvent} from './types';

/** What the guard stage works on (the Trainer). */
export interface GuardHost {
  readonly guard: ExplosionGuard;
  readonly state: TrainState;
  readonly model: Module;
  readonly optimizer: tf.Optimizer;
  readonly guardLog: GuardRecord[];
  emit(e: TrainerEvent): void;
}

// The guard's part of a step: the verdict on the measured statistics (recorded in guardLog), the
// verdict on what the transforms made, what a rejected step does (roll back, count, report; no
// weight or optimizer state changes) and the rollback snapshot kept after good steps.

/** Policy 'rollback': takes the first snapshot before the first step. */
export async function ensureSnapshot(h: GuardHost, step: number): Promise<void> {
  if (h.guard.policy === 'rollback' && !h.state.snapshot) h.state.snapshot = await Snapshot.take(step, h.model.variables, h.optimizer);
}

/**
 * The guard's verdict on one step's statistics, recorded in `guardLog` (bounded by `maxRecords`);
 * an accepted step's event (a grown lr) is reported. Policy 'off' judges nothing.
 * @returns the verdict (always ok under 'off')
 */
export function judgeStep(h: GuardHost, step: number, s: StepStats, lr: number, maxRecords: number): GuardVerdict {
  if (h.guard.policy === 'off') return {ok: true, action: 'none'};
  const v = h.guard.judge(step, s);
  boundedPush(h.guardLog, {step, loss: s.loss, gradNorm: s.gradNorm, lr, ok: v.ok, ...(v.cause ? {cause: v.cause} : {})}, maxRecords);
  if (v.ok && v.event) h.emit(v.event);
  return v;
}

/** The transforms turned finite gradients into NaN/Infinity: a bad step (its guardLog record corrected). */
export function rejectUpdate(h: GuardHost, step: number, s: StepStats): GuardVerdict {
  const v = h.guard.reject(step, 'nonfinite-update', s);
  const rec = h.guardLog[h.guardLog.length - 1];
  if (rec) Object.assign(rec, {ok: false, cause: v.cause});
  return v;
}

/**
 * A rejected step: rolls back when the policy says so, counts the step, reports it. Nothing is applied.
 * @param lrControllable whether the Trainer can set this optimizer's lr (else a cut is reported as impossible)
 */
export async function rejectStep(h: GuardHost, step: number, v: GuardVerdict, loss: number, lrControllable: boolean): Promise<StepResult> {
  if (v.action === 'rollback' || (v.action === 'give-up' && h.guard.policy === 'rollback')) {
    await h.state.snapshot!.restore(h.model.variables, h.optimizer);
  }
  h.state.advance();
  if (h.guard.lrScale !== 1 && !lrControllable) {
    h.emit({step, kind: 'info', cause: 'cut-lr', action: 'none', message: 'cannot cut the lr of this optimizer'});
  }
  h.emit(v.event!);
  return {step, applied: false, loss};
}

/** Policy 'rollback': after `snapshotEvery` good steps, the snapshot is taken anew. */
export async function afterGoodStep(h: GuardHost, step: number): Promise<void> {
  const st = h.state;
  if (h.guard.policy === 'rollback' && ++st.goodSinceSnapshot >= h.guard.opts.snapshotEvery) {
    st.snapshot?.dispose();
    st.snapshot = await Snapshot.take(step + 1, h.model.variables, h.optimizer);
    st.goodSinceSnapshot = 0;
  }
}
