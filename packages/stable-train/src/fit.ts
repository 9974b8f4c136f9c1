import {batchIndices, type Dataset} from './data/dataset';
import {evaluate} from './evaluate';
import type {FitTarget} from './fit_target';

/** What `onEpoch` receives. */
export interface EpochSummary {
  epoch: number;
  step: number;
  /** Mean training loss over the epoch's applied steps. */
  loss: number;
  valLoss?: number;
  valAccuracy?: number;
  /** `validation` evaluated with the averaged weights (Trainer `averaging`, once the average has started). */
  averagedValLoss?: number;
  averagedValAccuracy?: number;
}

/** Options of `Trainer.fit`. */
export interface FitOptions {
  batchSize: number;
  /** Train until this many epochs are done (counting from step 0, so a resume continues). */
  epochs?: number;
  /** Or until this many steps are done. */
  steps?: number;
  /**
   * Save a checkpoint here every `checkpointEvery` steps and at the end. A scheduled save is put
   * off while the guard reports trouble (the last step was rejected) or a weight is not finite:
   * only good states are written, and the newest good checkpoint is never pruned.
   */
  checkpointDir?: string;
  checkpointEvery?: number;
  /** Stored in each checkpoint's meta (the CLI stores its config). */
  checkpointExtra?: unknown;
  /** Evaluated at the end of every epoch (with the live weights, and the averaged ones when the Trainer averages). */
  validation?: Dataset;
  onEpoch?: (s: EpochSummary) => void;
  /** Return true to stop after the current step. */
  shouldStop?: () => boolean;
}

/** How `fit` ended. */
export interface FitResult {
  status: 'done' | 'gave-up' | 'stopped';
  steps: number;
  epochs: number;
  seconds: number;
  lastCheckpoint?: string;
}

/**
 * The epoch loop behind `Trainer.fit`: seeded batch order (a resume continues with the very batch
 * an uninterrupted run would take), end-of-epoch summaries and plateau control, periodic atomic
 * checkpoints. Stops cleanly when the guard gives up.
 */
export async function fitLoop(trainer: FitTarget, data: Dataset, o: FitOptions): Promise<FitResult> {
  if (!data || typeof data.batch !== 'function') throw new Error('fit: data must be a Dataset');
  if (!(data.size > 0)) throw new Error('fit: the dataset is empty (0 samples)');
  if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1)) throw new Error(`fit: batchSize must be an integer >= 1, got ${o.batchSize}`);
  const per = Math.floor(data.size / o.batchSize);
  if (per === 0) throw new Error(`fit: the dataset has ${data.size} samples, fewer than batchSize ${o.batchSize}`);
  if ((o.epochs === undefined) === (o.steps === undefined)) throw new Error('fit: give exactly one of epochs or steps');
  const total = o.steps ?? o.epochs! * per;
  if (!(Number.isInteger(total) && total >= 0)) throw new Error(`fit: epochs/steps must be integers >= 0, got ${o.epochs ?? o.steps}`);
  const every = o.checkpointEvery ?? 0;
  if (!(Number.isInteger(every) && every >= 0)) throw new Error(`fit: checkpointEvery must be an integer >= 0, got ${o.checkpointEvery}`);
  const t0 = Date.now();
  let status: FitResult['status'] = 'done';
  let lastCheckpoint: string | undefined;
  let savedAt = -1;
  const save = async (): Promise<void> => {
    if (!o.checkpointDir) return;
    if (trainer.guard.badInARow > 0) {
      trainer.emit({step: trainer.step_, kind: 'checkpoint', cause: 'unhealthy', action: 'none', message: `checkpoint put off: the guard rejected the last ${trainer.guard.badInARow} step(s)`});
      return;
    }
    if (savedAt === trainer.step_) return; // this very state is on disk already
    lastCheckpoint = await trainer.save(o.checkpointDir, o.checkpointExtra);
    savedAt = trainer.step_;
  };
  // A mid-epoch resume keeps the epoch's running loss (restored from the checkpoint).
  if (trainer.step_ % per === 0) await trainer.meanLoss();
  while (trainer.step_ < total) {
    const epoch = Math.floor(trainer.step_ / per);
    trainer.state.enterEpoch(epoch);
    const b = data.batch(batchIndices(data.size, o.batchSize, trainer.seed, epoch, trainer.step_ % per));
    try {
      await trainer.step(b);
    } finally {
      b.x.dispose();
      b.y.dispose();
    }
    if (trainer.guard.gaveUp) {
      status = 'gave-up';
      break;
    }
    if (trainer.step_ % per === 0) {
      const s: EpochSummary = {epoch, step: trainer.step_, loss: await trainer.meanLoss()};
      if (o.validation) {
        const v = await evaluate(trainer.model, o.validation, {loss: trainer.opts.loss});
        s.valLoss = v.loss;
        s.valAccuracy = v.accuracy;
        await averagedValidation(trainer, o.validation, data, o.batchSize, s);
      }
      trainer.opts.plateau?.step(s.valLoss ?? s.loss);
      await trainer.flush();
      callback('onEpoch', step0(trainer), () => o.onEpoch?.(s));
    }
    if (every > 0 && trainer.step_ % every === 0) await save();
    if (callback('shouldStop', step0(trainer), () => o.shouldStop?.())) {
      status = 'stopped';
      break;
    }
  }
  await trainer.flush();
  if (status !== 'gave-up') await save();
  return {status, steps: trainer.step_, epochs: trainer.step_ / per, seconds: (Date.now() - t0) / 1000, lastCheckpoint};
}

const step0 = (t: FitTarget): number => t.step_;

/** The epoch's validation with the averaged weights (when the Trainer averages and the average has started), reported as an event. */
async function averagedValidation(trainer: FitTarget, val: Dataset, train: Dataset, batchSize: number, s: EpochSummary): Promise<void> {
  const av = trainer.averaging;
  if (!av?.initialized || !trainer.evaluate) return;
  const a = await trainer.evaluate(val, {weights: 'averaged', ...(av.updateBatchNorm ? {batchNormData: train, batchSize} : {})});
  s.averagedValLoss = a.loss;
  s.averagedValAccuracy = a.accuracy;
  const acc = (x?: number): string => (x === undefined || Number.isNaN(x) ? '' : `, accuracy ${x.toFixed(4)}`);
  trainer.emit({step: trainer.step_, kind: 'info', cause: 'averaged-eval', action: 'none',
    message: `epoch ${s.epoch}: validation with the averaged weights (${av.describe()}): loss ${a.loss.toPrecision(5)}${acc(a.accuracy)}; live weights: loss ${s.valLoss!.toPrecision(5)}${acc(s.valAccuracy)}`});
}

function callback<T>(name: string, step: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new Error(`fit: the ${name} callback threw at step ${step}: ${(e as Error)?.message ?? String(e)}`);
  }
}
