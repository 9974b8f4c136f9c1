import * as tf from '@tensorflow/tfjs-core';
import {packCheckpoint, unpackCheckpoint, type CheckpointSubject} from './checkpoint';
import {otherHint} from './checkpoint_fs';
import {isIoUrl, readCheckpoint, writeCheckpoint, type CheckpointTarget} from './checkpoint_io';
import {computeGrads} from './compute_grads';
import type {Dataset} from './data/dataset';
import {fitLoop, type FitOptions, type FitResult} from './fit';
import {ExplosionGuard, type GuardVerdict, type StepStats} from './guard';
import {resolveLoss, type LossFn} from './losses';
import {LrPlan} from './lr_plan';
import {Snapshot} from './snapshot';
import {AveragingStage} from './averaging_stage';
import {evaluateWith, type TrainerEvalOptions} from './evaluate_averaged';
import type {EvalResult} from './evaluate';
import {applyTransforms, applyUpdate, measure, preservesFinite, updateIsFinite} from './step_stages';
import {packMetrics, unpackMetrics, type StepMetrics} from './step_metrics';
import {TrainState} from './train_state';
import type {GuardRecord, StepResult, TrainerOptions} from './trainer_options';
import type {Batch, Module, NamedTensorMap, Stateful, TrainerEvent} from './types';

export type {Stateful} from './types';
export type {GuardRecord, StepResult, TrainerOptions} from './trainer_options';
export type {TrainerEvalOptions} from './evaluate_averaged';

/**
 * The training loop of stable-train. One step: forward (training mode) → loss + penalties →
 * `tf.variableGrads` → explosion guard → gradient transforms → optimizer with lr = schedule(step)
 * → decoupled decay and constraints; metrics read back asynchronously every `logEvery` steps.
 * Host reads per step: only the guard's 3 numbers under policies 'skip' and 'rollback'.
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
  readonly history: StepMetrics[] = [];
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
  private readonly loss: LossFn;
  private readonly lrPlan: LrPlan;
  private readonly maxRecords: number;
  private pending: Promise<void>[] = [];
  private lastLr = NaN;
  /** Every transform keeps finite gradients finite (grad-clip clippers): no second read. */
  private readonly finiteTransforms: boolean;
  private readonly t0 = Date.now();

  /** @param opts see `TrainerOptions` */
  constructor(opts: TrainerOptions) {
    if (!opts || !opts.model || typeof opts.model.apply !== 'function' || !Array.isArray(opts.model.variables)) {
      throw new Error('Trainer: model must be a module with apply(x, {training}) and variables');
    }
    const o: {applyGradients?: unknown; getWeights?: unknown} | null = opts.optimizer ? Object(opts.optimizer) : null;
    if (!o || typeof o.applyGradients !== 'function' || typeof o.getWeights !== 'function') {
      throw new Error(`Trainer: optimizer must be a tf.Optimizer, got ${String(opts.optimizer)}`);
    }
    const acc = opts.accumulate ?? 1;
    if (!(Number.isInteger(acc) && acc >= 1)) throw new Error(`Trainer: accumulate must be an integer >= 1, got ${acc}`);
    const le = opts.logEvery ?? 10;
    if (!(Number.isInteger(le) && le >= 0)) throw new Error(`Trainer: logEvery must be an integer >= 0, got ${le}`);
    const sch = opts.schedule;
    if (sch !== undefined && typeof sch !== 'function' && !(Number.isFinite(sch) && sch >= 0)) {
      throw new Error(`Trainer: schedule must be a function of the step or a number >= 0, got ${String(sch)}`);
    }
    const mr = opts.maxRecords ?? 10000;
    if (!(Number.isInteger(mr) && mr >= 1)) throw new Error(`Trainer: maxRecords must be an integer >= 1, got ${mr}`);
    const seed = opts.seed ?? 0;
    if (!Number.isInteger(seed)) throw new Error(`Trainer: seed must be an integer, got ${seed}`);
    for (const [k, v] of Object.entries(opts.stateful ?? {})) {
      if (!v || typeof v.getState !== 'function' || typeof v.setState !== 'function') throw new Error(`Trainer: stateful.${k} must have getState() and setState(), got ${String(v)}`);
    }
    this.opts = opts;
    this.model = opts.model;
    this.optimizer = opts.optimizer;
    this.loss = resolveLoss(opts.loss ?? 'softmax_cross_entropy');
    this.guard = opts.guard instanceof ExplosionGuard ? opts.guard : new ExplosionGuard(opts.guard);
    this.seed = seed;
    this.maxRecords = mr;
    this.lrPlan = new LrPlan(opts.optimizer, sch, opts.plateau);
    this.finiteTransforms = preservesFinite(opts.transforms ?? []);
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
    const out: {[key: string]: Stateful} = {...(this.opts.stateful ?? {})};
    const p = this.opts.plateau;
    if (p && typeof p.getState === 'function' && typeof p.setState === 'function' && !Object.values(out).includes(p as Stateful)) {
      out['#plateau'] = p as Stateful;
    }
    return out;
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
    push(this.events, e, this.maxRecords);
    try {
      this.opts.onEvent?.(e);
    } catch (err) {
      throw new Error(`Trainer: the onEvent callback threw at step ${e.step}: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /**
   * One optimisation step on `batch` (split into `accumulate` micro-batches), as a pipeline:
   * forward and loss → gradients → measure (‖g‖ and finiteness, one read) → guard verdict →
   * transforms → finiteness of what will be applied → lr → update (decay, optimizer,
   * constraints) → metrics. A rejected step changes no weight and no optimizer state.
   * @param batch inputs and targets; the tensors stay owned by the caller
   */
  async step(batch: Batch): Promise<StepResult> {
    this.checkBatch(batch);
    const step = this.state.step;
    const params = this.params;
    const policy = this.guard.policy;
    const st = this.state;
    this.averaging?.beforeStep(step, params);
    if (policy === 'rollback' && !st.snapshot) st.snapshot = await Snapshot.take(step, this.model.variables, this.optimizer);
    const lr = this.currentLr(); // before anything runs: a bad schedule value fails the step cleanly
    const r = computeGrads(this.model, params, this.loss, this.opts.penalties ?? [], batch, this.opts.accumulate ?? 1);
    // Every tensor made this step (transforms may pass tensors through): freed at the end.
    const owned = new Set<tf.Tensor>([r.loss, r.inputFinite, ...Object.values(r.grads)]);
    try {
      const {stats, ctx} = await measure(policy, r, owned);
      if (policy !== 'off') {
        const v = this.guard.judge(step, stats);
        this.record(step, stats, lr, v);
        if (!v.ok) return await this.reject(step, v, stats.loss);
        if (v.event) this.emit(v.event);
      }
      const update = applyTransforms(r.grads, this.opts.transforms ?? [], params, ctx, owned);
      if (policy !== 'off' && update !== r.grads && !this.finiteTransforms && !(await updateIsFinite(update))) {
        const v = this.guard.reject(step, 'nonfinite-update', stats);
        const rec = this.guardLog[this.guardLog.length - 1];
        if (rec) Object.assign(rec, {ok: false, cause: v.cause});
        return await this.reject(step, v, stats.loss);
      }
      this.noteLr(step, lr);
      const logging = (this.opts.logEvery ?? 10) > 0 && (step + 1) % (this.opts.logEvery ?? 10) === 0;
      const before = logging ? tf.tidy(() => mapValues(params, (p) => tf.clone(p))) : null;
      const undo = this.lrPlan.apply(lr, this.guard.lrScale);
      try {
        applyUpdate(this.opts, update, params, lr, step);
      } finally {
        undo();
      }
      st.addLoss(r.loss);
      this.averaging?.afterApplied(step + 1, params);
      if (logging) this.log(step, lr, r.loss, r.grads, update, before!, params);
      tf.dispose(before ?? []);
      if (policy === 'rollback' && ++st.goodSinceSnapshot >= this.guard.opts.snapshotEvery) {
        st.snapshot?.dispose();
        st.snapshot = await Snapshot.take(step + 1, this.model.variables, this.optimizer);
        st.goodSinceSnapshot = 0;
      }
      st.advance();
      return {step, applied: true, loss: stats.loss};
    } finally {
      tf.dispose([...owned]);
    }
  }

  /** Rejected step: roll back when the policy says so, count the step, report it. Nothing is applied. */
  private async reject(step: number, v: GuardVerdict, loss: number): Promise<StepResult> {
    if (v.action === 'rollback' || (v.action === 'give-up' && this.guard.policy === 'rollback')) {
      await this.state.snapshot!.restore(this.model.variables, this.optimizer);
    }
    this.state.advance();
    if (this.guard.lrScale !== 1 && !this.lrPlan.controllable) {
      this.emit({step, kind: 'info', cause: 'cut-lr', action: 'none', message: 'cannot cut the lr of this optimizer'});
    }
    this.emit(v.event!);
    return {step, applied: false, loss};
  }

  private record(step: number, s: StepStats, lr: number, v: GuardVerdict): void {
    push(this.guardLog, {step, loss: s.loss, gradNorm: s.gradNorm, lr, ok: v.ok, ...(v.cause ? {cause: v.cause} : {})}, this.maxRecords);
  }

  /** An lr of 10 or more, or a jump to over 100× the previous step's, is reported (it is still used). */
  private noteLr(step: number, lr: number): void {
    const prev = this.lastLr;
    this.lastLr = lr;
    if (!Number.isFinite(lr)) return;
    if (lr >= 10 || (prev > 0 && lr > 100 * prev)) {
      this.emit({step, kind: 'info', cause: 'huge-lr', action: 'none', message: `lr ${lr} at step ${step}${prev > 0 ? ` (previous step: ${prev})` : ''}`});
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
  static async restore(source: CheckpointTarget, opts: TrainerOptions): Promise<Trainer> {
    const {meta, bytes, where} = await readCheckpoint(source);
    const t = new Trainer({...opts, seed: Number.isInteger(meta?.seed) ? meta.seed : opts.seed});
    try {
      await unpackCheckpoint(t, meta, bytes, where);
    } catch (e) {
      t.dispose();
      const hint = typeof source === 'string' && !isIoUrl(source) ? await otherHint(source, where) : '';
      throw new Error(`${(e as Error).message}${hint}`);
    }
    return t;
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
  async flush(): Promise<void> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
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

  private checkBatch(batch: Batch): void {
    if (!batch || !(batch.x instanceof tf.Tensor) || !(batch.y instanceof tf.Tensor)) {
      throw new Error('Trainer.step: batch must be {x: tf.Tensor, y: tf.Tensor}');
    }
    if (batch.x.shape[0] !== batch.y.shape[0]) {
      throw new Error(`Trainer.step: x has ${batch.x.shape[0]} samples but y has ${batch.y.shape[0]}`);
    }
    const want = (this.model as {inputShape?: number[]}).inputShape;
    const got = batch.x.shape.slice(1);
    if (want && (got.length !== want.length || want.some((d, i) => d !== -1 && d !== got[i]))) {
      throw new Error(`Trainer.step: batch x has shape [${batch.x.shape}] but the model expects [N,${want}]`);
    }
  }

  private log(
    step: number, lr: number, loss: tf.Scalar, grads: NamedTensorMap, clipped: NamedTensorMap,
    before: NamedTensorMap, params: {[name: string]: tf.Variable},
  ): void {
    const packed = packMetrics(loss, grads, clipped, before, params, this.opts.layerMetrics ?? true);
    const base = {step, epoch: this.state.epoch, lr, timeMs: Date.now() - this.t0, skipped: this.guard.badSteps};
    const names = Object.keys(params);
    this.pending.push(
      packed.data().then((d) => {
        packed.dispose();
        const m = unpackMetrics(d as Float32Array, names, base);
        push(this.history, m, this.maxRecords);
        try {
          this.opts.onStep?.(m);
        } catch (err) {
          throw new Error(`Trainer: the onStep callback threw at step ${step}: ${(err as Error)?.message ?? String(err)}`);
        }
      }),
    );
  }
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

function mapValues<T, U>(m: {[k: string]: T}, f: (v: T) => U): {[k: string]: U} {
  const out: {[k: string]: U} = {};
  for (const k of Object.keys(m)) out[k] = f(m[k]);
  return out;
}
