import * as tf from '@tensorflow/tfjs-core';
import {boundedPush} from './bounded_push';
import {checkBatch} from './check_batch';
import {packCheckpoint, type CheckpointSubject} from './checkpoint';
import {readCheckpoint, writeCheckpoint, type CheckpointTarget} from './checkpoint_io';
import {computeGrads} from './compute_grads';
import type {Dataset} from './data/dataset';
import {fitLoop, type FitOptions, type FitResult} from './fit';
import {ExplosionGuard} from './guard';
import {afterGoodStep, ensureSnapshot, judgeStep, rejectStep, rejectUpdate} from './guard_stage';
import {resolveLoss, type LossFn} from './losses';
import {LrPlan} from './lr_plan';
import {LrWatch} from './lr_watch';
import {AveragingStage} from './averaging_stage';
import {evaluateWith, type TrainerEvalOptions} from './evaluate_averaged';
import type {EvalResult} from './evaluate';
import {measure} from './measure';
import {MetricsLog, weightsBefore} from './metrics_log';
import {applyTransforms, applyUpdate, preservesFinite, updateIsFinite} from './step_stages';
import type {StepMetrics} from './step_metrics';
import {restoreCheckpoint} from './restore_checkpoint';
import {TrainState} from './train_state';
import {checkTrainerOptions, statefulOf, type CheckedOptions, type GuardRecord, type StepResult, type TrainerOptions} from './trainer_options';
import type {Batch, Module, Stateful, TrainerEvent} from './types';

export type {Stateful} from './types';
export type {GuardRecord, StepResult, TrainerOptions} from './trainer_options';
export type {TrainerEvalOptions} from './evaluate_averaged';

/**
 * The training loop of stable-train: it composes the stages of a step (see `step`) and holds what
 * they share (model, optimizer, guard, one `TrainState`, records). One host read per step: the
 * loss with the one measurement of the gradients; metrics are read back asynchronously every
 * `logEvery` steps.
 *
 * ```ts
 * const trainer = new Trainer({model, optimizer: tf.train.adam(1e-3), transforms: [clip]});
 * await trainer.step({x, y});
 * ```
 */
export class Trainer implements CheckpointSubject {
  readonly model: Module;
  readonly optimizer: tf.Optimizer;
  readonly guard: ExplosionGuard;
  readonly events: TrainerEvent[] = [];
  /** Metrics of every `logEvery`-th step (read back asynchronously; at most `maxRecords`). */
  readonly history: StepMetrics[];
  /**
   * Every step the guard judged (every policy but 'off'): loss, gradient norm before clipping,
   * lr and whether the step was applied — bad steps included, so a run that gives up before its
   * first `logEvery` still has a curve. Gradient norms are NaN under 'zero' (not measured).
   */
  readonly guardLog: GuardRecord[] = [];
  /** Step counter, epoch, the epoch's running loss and the rollback snapshot: saved whole in checkpoints. */
  readonly state = new TrainState();
  readonly seed: number;
  readonly opts: TrainerOptions;
  /** The weight averaging of `opts.averaging` (EMA/SWA), or null. */
  readonly averaging: AveragingStage | null;
  private readonly checked: CheckedOptions;
  private readonly loss: LossFn;
  private readonly lrPlan: LrPlan;
  private readonly lrWatch = new LrWatch();
  private readonly metrics: MetricsLog;
  /** Every transform keeps finite gradients finite (grad-clip clippers): no second read. */
  private readonly finiteTransforms: boolean;

  /** @param opts see `TrainerOptions` */
  constructor(opts: TrainerOptions) {
    this.checked = checkTrainerOptions(opts);
    this.opts = opts;
    this.model = opts.model;
    this.optimizer = opts.optimizer;
    this.loss = resolveLoss(opts.loss ?? 'softmax_cross_entropy');
    this.guard = opts.guard instanceof ExplosionGuard ? opts.guard : new ExplosionGuard(opts.guard);
    this.seed = this.checked.seed;
    this.lrPlan = new LrPlan(opts.optimizer, opts.schedule, opts.plateau);
    this.finiteTransforms = preservesFinite(opts.transforms ?? []);
    this.metrics = new MetricsLog(this.checked.maxRecords, opts.layerMetrics ?? true, opts.onStep);
    this.history = this.metrics.history;
    this.averaging = opts.averaging ? new AveragingStage(opts.averaging) : null;
  }

  /** Steps taken so far (applied or not); the next step's schedule index. Read-only. */
  get step_(): number {
    return this.state.step;
  }

  /** The epoch of the current step (set by `fit`). Read-only. */
  get epoch(): number {
    return this.state.epoch;
  }

  /** Objects whose state checkpoints keep: `stateful`, plus the plateau under `'#plateau'` when it is not among them. */
  get statefulObjects(): {[key: string]: Stateful} {
    return statefulOf(this.opts);
  }

  /** Trainable variables by name. */
  get params(): {[name: string]: tf.Variable} {
    const out: {[name: string]: tf.Variable} = {};
    for (const v of this.model.variables) if (v.trainable) out[v.name] = v;
    return out;
  }

  /** The learning rate the next step uses (base × the guard's scale; see `TrainerOptions.schedule`). */
  currentLr(): number {
    return this.lrPlan.lrAt(this.state.step, this.guard.lrScale);
  }

  /**
   * Reports an event to `onEvent` and keeps it in `events`. An exception in `onEvent` is
   * re-thrown naming the callback (the step's state is consistent when it is called).
   */
  emit(e: TrainerEvent): void {
    boundedPush(this.events, e, this.checked.maxRecords);
    try {
      this.opts.onEvent?.(e);
    } catch (err) {
      throw new Error(`Trainer: the onEvent callback threw at step ${e.step}: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /**
   * One optimisation step on `batch` (split into `accumulate` micro-batches), as a pipeline of
   * stages: forward and loss, gradients (`computeGrads`) → one measurement of the gradients
   * (`measure`: Σg², ‖g‖, finiteness and the loss, one read) → guard verdict (`judgeStep`) →
   * transforms → finiteness of what will be applied → lr (`LrPlan`) → update (decay, optimizer,
   * constraints: `applyUpdate`) → metrics (`MetricsLog`). A rejected step (`rejectStep`) changes
   * no weight and no optimizer state.
   * @param batch inputs and targets; the tensors stay owned by the caller
   */
  async step(batch: Batch): Promise<StepResult> {
    checkBatch(batch, this.model as {inputShape?: number[]});
    const step = this.state.step;
    const params = this.params;
    this.averaging?.beforeStep(step, params);
    await ensureSnapshot(this, step);
    const lr = this.currentLr(); // before anything runs: a bad schedule value fails the step cleanly
    const r = computeGrads(this.model, params, this.loss, this.opts.penalties ?? [], batch, this.checked.accumulate);
    // Every tensor made this step (transforms may pass tensors through): freed at the end.
    const owned = new Set<tf.Tensor>([r.loss, ...Object.values(r.grads)]);
    try {
      const {stats, ctx, sumSquares} = await measure(this.guard.policy, r, batch, owned);
      const v = judgeStep(this, step, stats, lr, this.checked.maxRecords);
      if (!v.ok) return await rejectStep(this, step, v, stats.loss, this.lrPlan.controllable);
      const update = applyTransforms(r.grads, this.opts.transforms ?? [], params, ctx, owned);
      if (this.guard.policy !== 'off' && update !== r.grads && !this.finiteTransforms && !(await updateIsFinite(update))) {
        return await rejectStep(this, step, rejectUpdate(this, step, stats), stats.loss, this.lrPlan.controllable);
      }
      const huge = this.lrWatch.note(step, lr);
      if (huge) this.emit(huge);
      const every = this.checked.logEvery;
      const before = every > 0 && (step + 1) % every === 0 ? weightsBefore(params) : null;
      const undo = this.lrPlan.apply(lr, this.guard.lrScale);
      try {
        applyUpdate(this.opts, update, params, lr, step);
      } finally {
        undo();
      }
      this.state.addLoss(r.loss);
      this.averaging?.afterApplied(step + 1, params);
      if (before) {
        this.metrics.log({step, epoch: this.state.epoch, lr, skipped: this.guard.badSteps, loss: r.loss, grads: r.grads, clipped: update, before, params, sumSquares});
        tf.dispose(before);
      }
      await afterGoodStep(this, step);
      this.state.advance();
      return {step, applied: true, loss: stats.loss};
    } finally {
      tf.dispose([...owned]);
    }
  }

  /** Mean loss of the applied steps since the last call (one host read; NaN if any was not finite), then resets it. */
  meanLoss(): Promise<number> {
    return this.state.takeMeanLoss();
  }

  /**
   * Trains on `data` until `epochs` or `steps` are done (counted from step 0, so calling it
   * after `Trainer.restore` continues the run). See `FitOptions`.
   * @param data a Dataset
   * @param opts batch size, length, checkpoints, validation, callbacks
   */
  fit(data: Dataset, opts: FitOptions): Promise<FitResult> {
    return fitLoop(this, data, opts);
  }

  /**
   * Saves params, optimizer state, step, epoch, seed, guard state and every `stateful` object.
   * `target` is a Node directory (written atomically: temp folder, flush, rename), a `tf.io`
   * URL such as `'indexeddb://run-a'` in the browser, or any `tf.io.IOHandler`; the tensors go
   * into the artifacts' `weightSpecs`/`weightData`, the rest into `userDefinedMetadata`.
   * Returns where the checkpoint went.
   *
   * ```ts
   * await trainer.save('runs/a');                  // Node
   * await trainer.save('indexeddb://mnist-run');   // browser
   * await trainer.save(tf.io.withSaveHandler(async (a) => { kept = a; return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}; }));
   * ```
   * @param target directory, `tf.io` URL or `tf.io.IOHandler`
   * @param extra JSON data stored alongside (the CLI stores its config)
   */
  async save(target: CheckpointTarget, extra?: unknown): Promise<string> {
    await this.flush();
    const {meta, bytes} = await packCheckpoint(this, extra);
    const where = await writeCheckpoint(target, meta, bytes);
    this.emit({step: this.state.step, kind: 'checkpoint', cause: 'save', action: 'saved', message: `checkpoint written to ${where}`});
    return where;
  }

  /**
   * Builds a Trainer from `opts` and loads a checkpoint into it: the newest one in a Node
   * directory, or the one behind a `tf.io` URL (`'indexeddb://run-a'`) or `tf.io.IOHandler`
   * (`tf.io.fromMemory(artifacts)`). A corrupted or mismatched checkpoint is an error that
   * lists what differs.
   *
   * ```ts
   * const t = await Trainer.restore('indexeddb://mnist-run', {model, optimizer: tf.train.adam(1e-3)});
   * ```
   * @param source what `save` wrote to
   * @param opts the same model structure, optimizer kind and stateful objects as when saved
   */
  static restore(source: CheckpointTarget, opts: TrainerOptions): Promise<Trainer> {
    return restoreCheckpoint(source, (seed) => new Trainer({...opts, seed: seed ?? opts.seed}));
  }

  /**
   * Reads the `extra` a checkpoint was saved with (for example the CLI's run config).
   *
   * ```ts
   * const {config} = (await Trainer.readExtra('runs/a')) as {config: unknown};
   * ```
   * @param source directory, `tf.io` URL or `tf.io.IOHandler`
   */
  static async readExtra(source: CheckpointTarget): Promise<unknown> {
    return (await readCheckpoint(source)).meta.extra;
  }

  /** Waits for every pending asynchronous metrics read. */
  flush(): Promise<void> {
    return this.metrics.flush();
  }

  /**
   * Loss and accuracy on `data` with the live weights, or with the averaged ones
   * (`{weights: 'averaged'}`, needs `averaging`): they are swapped in for the evaluation and the
   * live weights put back, bit for bit. See `TrainerEvalOptions` (batch-norm statistics).
   *
   * ```ts
   * const live = await trainer.evaluate(testSet);
   * const avg = await trainer.evaluate(testSet, {weights: 'averaged', batchNormData: trainSet});
   * ```
   * @param data the dataset
   * @param opts weights, batch size, batch-norm data
   */
  evaluate(data: Dataset, opts: TrainerEvalOptions = {}): Promise<EvalResult> {
    return evaluateWith(this, data, opts);
  }

  /** Frees the trainer's own tensors (snapshot, running loss, the average it made); not the model or optimizer. */
  dispose(): void {
    this.state.dispose();
    this.averaging?.dispose();
  }
}

