import * as tf from '@tensorflow/tfjs-core';
import {packCheckpoint, unpackCheckpoint} from './checkpoint';
import {readCheckpoint, writeCheckpoint, type CheckpointTarget} from './checkpoint_io';
import {globalNorm, type GradContext} from '@stable-train/grad-clip';
import {allFiniteScalar, computeGrads, safeGlobalNorm} from './compute_grads';
import type {Dataset} from './data/dataset';
import {fitLoop, type FitOptions, type FitResult} from './fit';
import {ExplosionGuard, type GuardOptions} from './guard';
import {resolveLoss, type LossFn, type LossName} from './losses';
import {getOptimizerLr, setOptimizerLr} from './optimizer_lr';
import {Snapshot} from './snapshot';
import {packMetrics, unpackMetrics, type StepMetrics} from './step_metrics';
import type {Batch, GradTransform, GuardCause, Module, NamedTensorMap, Penalty, PostUpdate, Schedule, TrainerEvent} from './types';

/** Something with state to keep in checkpoints (ReduceOnPlateau, AutoClip, ...). */
export interface Stateful {
  getState(): unknown;
  setState(state: unknown): void;
}

/** Options of `Trainer`. */
export interface TrainerOptions {
  model: Module;
  /** Any `tf.Optimizer` (stock tfjs-core or lr-schedule's). */
  optimizer: tf.Optimizer;
  /** Default `'softmax_cross_entropy'`. */
  loss?: LossName | LossFn;
  /** Learning rate per step; absent = leave the optimizer's own rate alone. */
  schedule?: Schedule | number;
  /** Gradient transforms applied in order (clipping, ...). */
  transforms?: GradTransform[];
  /** Terms added to the loss (L1/L2, ...). */
  penalties?: Penalty[];
  /** Decoupled weight decay (regularizers' `decoupledWeightDecay`): `p ← p·(1 − lr·rate)` before the update, as PyTorch AdamW. */
  weightDecay?: {apply(variables: {[name: string]: tf.Variable}, lr: number): unknown};
  /** Constraints (regularizers' `maxNorm`, ...) projected after the update. */
  constraints?: {apply(variables: {[name: string]: tf.Variable}): unknown}[];
  /** Any other function applied after the update and the constraints. */
  postUpdate?: PostUpdate[];
  /** Plateau control (lr-schedule's `ReduceOnPlateau`): when set, lr = plateau.value (× guard cut), stepped each epoch. */
  plateau?: {readonly value: number; step(metric: number): number};
  /** Micro-batches per step (gradient accumulation). Default 1. */
  accumulate?: number;
  /** Read metrics back every this many steps (0 = never). Default 10. */
  logEvery?: number;
  /** Per-variable norms in the metrics. Default true. */
  layerMetrics?: boolean;
  guard?: GuardOptions | ExplosionGuard;
  /** Seed of the data order. Default 0. */
  seed?: number;
  /** Extra state saved in checkpoints, by key. */
  stateful?: {[key: string]: Stateful};
  onStep?: (m: StepMetrics) => void;
  onEvent?: (e: TrainerEvent) => void;
}

/** One step as the guard saw it (see `Trainer.guardLog`). */
export interface GuardRecord {
  step: number;
  /** Loss of the step (may be non-finite). */
  loss: number;
  /** Global gradient norm before clipping (may be non-finite). */
  gradNorm: number;
  /** Learning rate the step would use (before a cut this step causes). */
  lr: number;
  /** False when the guard rejected the step. */
  ok: boolean;
  cause?: GuardCause;
}

/** What one `step` did. */
export interface StepResult {
  step: number;
  applied: boolean;
  /** The loss when it was read back this step (guard policies 'skip'/'rollback'). */
  loss?: number;
}

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
export class Trainer {
  readonly model: Module;
  readonly optimizer: tf.Optimizer;
  readonly guard: ExplosionGuard;
  readonly events: TrainerEvent[] = [];
  readonly history: StepMetrics[] = [];
  /**
   * Every step the guard judged (policies 'skip' and 'rollback', which read these numbers anyway):
   * loss, gradient norm before clipping, lr and whether the step was applied — bad steps included,
   * so a run that gives up before its first `logEvery` still has a curve. Empty for 'zero'/'off'.
   */
  readonly guardLog: GuardRecord[] = [];
  /** Steps taken so far (applied or not); the next step's schedule index. */
  step_ = 0;
  epoch = 0;
  readonly seed: number;
  readonly opts: TrainerOptions;
  private readonly loss: LossFn;
  private readonly baseLr: number;
  private snapshot: Snapshot | null = null;
  private goodSinceSnapshot = 0;
  private pending: Promise<void>[] = [];
  private zeroed: tf.Variable | null = null;
  private zeroedSeen = 0;
  private lossSum: tf.Tensor | null = null;
  private lossCount = 0;
  private readonly t0 = Date.now();

  /** @param opts see `TrainerOptions` */
  constructor(opts: TrainerOptions) {
    if (!opts || !opts.model || typeof opts.model.apply !== 'function' || !Array.isArray(opts.model.variables)) {
      throw new Error('Trainer: model must be a module with apply(x, {training}) and variables');
    }
    const o = opts.optimizer as unknown as {applyGradients?: unknown; getWeights?: unknown};
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
    this.opts = opts;
    this.model = opts.model;
    this.optimizer = opts.optimizer;
    this.loss = resolveLoss(opts.loss ?? 'softmax_cross_entropy');
    this.guard = opts.guard instanceof ExplosionGuard ? opts.guard : new ExplosionGuard(opts.guard);
    this.seed = opts.seed ?? 0;
    this.baseLr = getOptimizerLr(opts.optimizer);
  }

  /** Trainable variables by name. */
  get params(): {[name: string]: tf.Variable} {
    const out: {[name: string]: tf.Variable} = {};
    for (const v of this.model.variables) if (v.trainable) out[v.name] = v;
    return out;
  }

  /** The learning rate the next step uses (schedule × the guard's cut). */
  currentLr(): number {
    const s = this.opts.schedule;
    const base = this.opts.plateau ? this.opts.plateau.value : s === undefined ? this.baseLr : typeof s === 'number' ? s : s(this.step_);
    return base * this.guard.lrScale;
  }

  /** Reports an event to `onEvent` and keeps it in `events`. */
  emit(e: TrainerEvent): void {
    this.events.push(e);
    this.opts.onEvent?.(e);
  }

  /**
   * One optimisation step on `batch` (split into `accumulate` micro-batches).
   * @param batch inputs and targets; the tensors stay owned by the caller
   */
  async step(batch: Batch): Promise<StepResult> {
    this.checkBatch(batch);
    const step = this.step_;
    const params = this.params;
    const policy = this.guard.policy;
    if (policy === 'rollback' && !this.snapshot) this.snapshot = await Snapshot.take(step, this.model.variables, this.optimizer);
    const r = computeGrads(this.model, params, this.loss, this.opts.penalties ?? [], batch, this.opts.accumulate ?? 1);
    let grads = r.grads;
    // Every gradient map made this step (transforms may pass tensors through): freed at the end.
    const owned = new Set<tf.Tensor>(Object.values(r.grads));
    let loss: number | undefined;
    // ‖g‖ of r.grads when the guard measures it: handed to the transforms (a global-norm clipper
    // then does not measure it again), disposed at the end of the step
    let ctx: GradContext | undefined;
    try {
      if (this.guard.readsEveryStep) {
        // Only the guard's policies that read every step pay for ‖g‖. When it is finite every
        // gradient is finite; only when it is not (rare) do we look closer, with one more read:
        // an all-finite flag, and the norm measured with scaling (finite gradients whose Σg²
        // overflows float32, i.e. ‖g‖ > ~1.8e19, are not "non-finite").
        ctx = {grads: r.grads, globalNorm: globalNorm(r.grads)};
        owned.add(ctx.globalNorm);
        const norm = ctx.globalNorm;
        const packed = tf.tidy(() => tf.stack([tf.cast(r.loss, 'float32'), norm, r.inputFinite]));
        const s = await packed.data();
        packed.dispose();
        loss = s[0];
        let gradNorm = s[1];
        let gradFinite = true;
        if (!Number.isFinite(gradNorm)) {
          const g = Object.values(r.grads);
          const probe = tf.tidy(() => tf.stack([allFiniteScalar(g), safeGlobalNorm(g)]));
          const d = await probe.data();
          probe.dispose();
          gradFinite = d[0] === 1;
          if (gradFinite) gradNorm = d[1];
        }
        const lrBefore = this.currentLr();
        const v = this.guard.judge(step, {loss: s[0], gradNorm, inputFinite: s[2] === 1, gradFinite});
        this.guardLog.push({step, loss: s[0], gradNorm, lr: lrBefore, ok: v.ok, ...(v.cause ? {cause: v.cause} : {})});
        if (!v.ok) {
          if (v.action === 'rollback' || (v.action === 'give-up' && policy === 'rollback')) {
            await this.snapshot!.restore(this.model.variables, this.optimizer);
          }
          if (this.opts.schedule === undefined && this.guard.lrScale !== 1 && Number.isNaN(this.baseLr)) {
            this.emit({step, kind: 'info', cause: 'cut-lr', action: 'none', message: 'cannot cut the lr of this optimizer'});
          }
          this.emit(v.event!);
          this.step_++;
          return {step, applied: false, loss};
        }
      } else if (policy === 'zero') {
        grads = this.zeroNonFinite(r);
      }
      const lr = this.currentLr();
      if (this.opts.schedule !== undefined || this.opts.plateau || this.guard.lrScale !== 1) {
        if (Number.isFinite(lr)) setOptimizerLr(this.optimizer, lr);
      }
      const logging = (this.opts.logEvery ?? 10) > 0 && (step + 1) % (this.opts.logEvery ?? 10) === 0;
      const before = logging ? tf.tidy(() => mapValues(params, (v) => tf.clone(v))) : null;
      let clipped = grads;
      for (const t of this.opts.transforms ?? []) {
        clipped = t(clipped, params, ctx);
        for (const g of Object.values(clipped)) owned.add(g);
      }
      this.opts.weightDecay?.apply(params, lr);
      this.optimizer.applyGradients(clipped);
      for (const c of this.opts.constraints ?? []) c.apply(params);
      for (const p of this.opts.postUpdate ?? []) p(params, {lr, step});
      this.accumulateLoss(r.loss);
      if (logging) this.log(step, lr, r.loss, r.grads, clipped, before!, params);
      tf.dispose(before ?? []);
      if (policy === 'rollback' && ++this.goodSinceSnapshot >= this.guard.opts.snapshotEvery) {
        this.snapshot?.dispose();
        this.snapshot = await Snapshot.take(step + 1, this.model.variables, this.optimizer);
        this.goodSinceSnapshot = 0;
      }
      this.step_++;
      return {step, applied: true, loss};
    } finally {
      for (const g of Object.values(grads)) owned.add(g);
      tf.dispose([r.loss, r.inputFinite, ...owned]);
    }
  }

  /** Mean loss of the applied steps since the last call (one host read), then resets it. */
  async meanLoss(): Promise<number> {
    const sum = this.lossSum;
    const n = this.lossCount;
    this.lossSum = null;
    this.lossCount = 0;
    if (!sum) return NaN;
    const v = (await sum.data())[0];
    sum.dispose();
    return v / n;
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
    this.emit({step: this.step_, kind: 'checkpoint', cause: 'save', action: 'saved', message: `checkpoint written to ${where}`});
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
    const t = new Trainer({...opts, seed: meta.seed});
    await unpackCheckpoint(t, meta, bytes, where);
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

  /** Frees the trainer's own tensors (snapshot, counters); not the model or optimizer. */
  dispose(): void {
    this.lossSum?.dispose();
    this.lossSum = null;
    this.snapshot?.dispose();
    this.snapshot = null;
    this.zeroed?.dispose();
    this.zeroed = null;
  }

  private accumulateLoss(loss: tf.Scalar): void {
    const prev = this.lossSum;
    this.lossSum = tf.tidy(() => {
      const l = tf.where(tf.isFinite(loss), loss, tf.zerosLike(loss));
      return prev ? tf.add(prev, l) : tf.clone(l);
    });
    prev?.dispose();
    this.lossCount++;
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

  private zeroNonFinite(r: {loss: tf.Scalar; inputFinite: tf.Scalar; grads: NamedTensorMap}): NamedTensorMap {
    if (!this.zeroed) this.zeroed = tf.variable(tf.scalar(0), false);
    return tf.tidy(() => {
      const ok = tf.logicalAnd(tf.logicalAnd(tf.isFinite(r.loss), tf.cast(allFiniteScalar(Object.values(r.grads)), 'bool')), tf.cast(r.inputFinite, 'bool'));
      this.zeroed!.assign(tf.add(this.zeroed!, tf.sub(1, tf.cast(ok, 'float32'))));
      return mapValues(r.grads, (g) => tf.where(ok, g, tf.zerosLike(g)));
    });
  }

  private log(
    step: number, lr: number, loss: tf.Scalar, grads: NamedTensorMap, clipped: NamedTensorMap,
    before: NamedTensorMap, params: {[name: string]: tf.Variable},
  ): void {
    const packed = packMetrics(loss, grads, clipped, before, params, this.opts.layerMetrics ?? true);
    const zeroed = this.zeroed ? tf.clone(this.zeroed) : null;
    const base = {step, epoch: this.epoch, lr, timeMs: Date.now() - this.t0};
    const names = Object.keys(params);
    this.pending.push(
      Promise.all([packed.data(), zeroed?.data()]).then(([d, z]) => {
        tf.dispose([packed, zeroed!].filter(Boolean));
        if (z && z[0] > this.zeroedSeen) {
          this.emit({step, kind: 'guard', cause: 'nonfinite-grad', action: 'zeroed',
            message: `${z[0] - this.zeroedSeen} step(s) with non-finite values had their gradients zeroed`});
          this.guard.badSteps += z[0] - this.zeroedSeen;
          this.zeroedSeen = z[0];
        }
        const m = unpackMetrics(d as Float32Array, names, {...base, skipped: this.guard.badSteps});
        this.history.push(m);
        this.opts.onStep?.(m);
      }),
    );
  }
}

function mapValues<T, U>(m: {[k: string]: T}, f: (v: T) => U): {[k: string]: U} {
  const out: {[k: string]: U} = {};
  for (const k of Object.keys(m)) out[k] = f(m[k]);
  return out;
}
