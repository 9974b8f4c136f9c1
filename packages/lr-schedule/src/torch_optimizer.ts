import * as tf from '@tensorflow/tfjs-core';
import {scheduleSpec} from './described_schedule';
import type {Schedule, ScheduleSpec} from './schedule';
import {scheduleFromSpec} from './schedule_from_spec';
import {F32_MAX, inRangeOrSchedule, isInRange, rangeText, show} from './validate';

/** A learning rate: a constant, or a {@link Schedule} evaluated at the optimizer's step count. */
export type LearningRate = number | Schedule;

/**
 * A hyper-parameter that may change from step to step (SGD/RMSprop momentum, Adam beta1): a
 * constant, or a {@link Schedule} evaluated at the optimizer's step count, like the lr.
 */
export type ScheduledValue = number | Schedule;

/** Allowed range of a scheduled hyper-parameter: [lo, hi], or [lo, hi) when `openHigh`. */
interface Hyper {
  value: ScheduledValue;
  lo: number;
  hi: number;
  openHigh: boolean;
}

/** `{name, tensor}` as tfjs-core's optimizers use it (not exported by its public API). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Per-variable state handed to an update rule: the slot variables by PyTorch state name. */
export type Slots = Record<string, tf.Variable>;

/** Checks an lr option (number >= 0 or function) for optimizer `fn`. Internal. */
export function checkLr(fn: string, lr: unknown): LearningRate {
  if (typeof lr === 'function') return lr as Schedule;
  // a saved config (getConfig → tf.loadLayersModel) holds a described schedule as its JSON spec
  if (typeof lr === 'string') {
    let spec: ScheduleSpec | undefined;
    try {
      spec = JSON.parse(lr) as ScheduleSpec;
    } catch {
      spec = undefined;
    }
    if (spec === null || typeof spec !== 'object' || typeof spec.type !== 'string') {
      throw new Error(`${fn}: lr must be a finite number >= 0, a schedule function or a schedule's JSON spec, got ${show(lr)}`);
    }
    return scheduleFromSpec(spec);
  }
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new Error(`${fn}: lr must be a finite number >= 0 or a schedule function, got ${show(lr)}`);
  }
  // the update runs in float32: an lr beyond its range would be Infinity there
  if (lr > F32_MAX) throw new Error(`${fn}: lr must be within float32 range (<= ${F32_MAX}), got ${show(lr)}`);
  return lr;
}

/**
 * Base of the PyTorch-exact optimizers: a `tf.Optimizer` whose state is kept **by variable
 * name** (so checkpoints survive a changed variable order), whose lr may be a schedule, and whose
 * update runs on device in one `tf.tidy` (no host reads). Subclasses give the slot names and the
 * update rule. The step count `t` passed to the rule is per variable and 1-based, as PyTorch's
 * `state['step']`; the schedule is evaluated at the optimizer's global step (0 for the first update).
 * Other hyper-parameters declared with {@link scheduledOption} (momentum, beta1) may be schedules
 * too: they are evaluated, and checked, at the same step before any tensor is touched.
 */
export abstract class TorchOptimizer extends tf.Optimizer {
  private lr_: LearningRate;
  private readonly fnName: string;
  private readonly slots = new Map<string, Slots>();
  private readonly paramSteps = new Map<string, number>();
  private readonly hypers = new Map<string, Hyper>();
  /** names restored by setWeights that no gradient has used yet (see {@link claimRestored}) */
  private readonly unclaimed = new Set<string>();

  /**
   * Ascend instead of descend: every update uses −g (PyTorch 1.13 `maximize`, applied to the raw
   * gradient before weight decay and the moments, as there).
   */
  readonly maximize: boolean;

  protected constructor(fnName: string, lr: LearningRate, maximize: unknown = false) {
    super();
    this.fnName = fnName;
    this.lr_ = checkLr(fnName, lr);
    if (typeof maximize !== 'boolean') throw new Error(`${fnName}: maximize must be true or false, got ${show(maximize)}`);
    this.maximize = maximize;
  }

  /** The lr option as given (number or schedule); change it with {@link setLearningRate}. */
  get lr(): LearningRate {
    return this.lr_;
  }

  /**
   * Sets the lr for the next updates: a number >= 0 or a schedule of the optimizer's step
   * (what the `lr` option accepts). Trainers and lr controllers use it instead of writing `lr`.
   * @param lr the new learning rate or schedule
   */
  setLearningRate(lr: LearningRate): void {
    this.lr_ = checkLr(`${this.fnName}.setLearningRate`, lr);
  }

  /** Number of updates applied so far (0 before the first); the schedule's step. */
  get step(): number {
    return this.iterations;
  }

  /**
   * The lr as `getConfig` saves it: a schedule built by this package (it carries its JSON spec,
   * see `scheduleSpec`) as that spec in a string, so `tf.loadLayersModel` rebuilds the schedule;
   * a number, or a hand-written schedule function, as the lr the next update will use.
   */
  protected get configLr(): number | string {
    const spec = typeof this.lr_ === 'function' ? scheduleSpec(this.lr_) : undefined;
    return spec ? JSON.stringify(spec) : this.currentLr;
  }

  /** The lr the next update will use: `lr` or `lr(step)`. */
  get currentLr(): number {
    if (typeof this.lr === 'number') return this.lr;
    const v = this.lr(this.step);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > F32_MAX) {
      throw new Error(`${this.fnName}: lr(${this.step}) must be a finite number in [0, ${F32_MAX}] (float32), got ${show(v)}`);
    }
    return v;
  }

  /**
   * Validates option `name` (a number in [lo, hi], or [lo, hi) when `openHigh`, or a schedule)
   * and registers it: before each update it is evaluated at {@link step} and handed to
   * `update` in `hp[name]`. Call it from the subclass constructor.
   */
  protected scheduledOption(name: string, v: unknown, lo: number, hi: number, openHigh = false): ScheduledValue {
    const value = inRangeOrSchedule(this.fnName, name, v, lo, hi, openHigh);
    this.hypers.set(name, {value, lo, hi, openHigh});
    return value;
  }

  /** The value option `name` (see {@link scheduledOption}) takes at the next update. */
  protected currentValue(name: string): number {
    const h = this.hypers.get(name);
    if (!h) throw new Error(`${this.fnName}: '${name}' is not a scheduled option`);
    if (typeof h.value === 'number') return h.value;
    const v = h.value(this.step);
    if (!isInRange(v, h.lo, h.hi, h.openHigh)) {
      const range = rangeText(h.lo, h.hi, h.openHigh);
      throw new Error(`${this.fnName}: ${name}(${this.step}) must be a number in ${range}, got ${show(v)}`);
    }
    return v;
  }

  /**
   * Rebuilds an optimizer from {@link getConfig}'s output (`tf.serialization`, `tf.loadLayersModel`):
   * `new cls(config)` without the `customObjects` entry that tfjs-layers adds. Subclasses whose
   * options are the keys of their `getConfig()` inherit it unchanged.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    const {customObjects: _ignored, ...options} = config;
    return new cls(options);
  }

  /**
   * Throws if update number `t` (1-based, per variable) of this configuration is undefined; runs
   * before any tensor of the step is made. Default: every step is defined.
   */
  protected checkUpdate(_t: number): void {}

  /** Slot (state) names this configuration may keep per variable, as PyTorch names them. */
  protected abstract slotNames(): string[];

  /**
   * The initial value of a slot for parameter `p` (zeros unless overridden), made before the
   * first update of `p`; `null`: the update rule creates the slot itself with {@link createSlot}
   * (a PyTorch state entry that starts as `None`).
   */
  protected initSlot(_slot: string, p: tf.Variable): tf.Tensor | null {
    return tf.zerosLike(p);
  }

  /** Creates slot `slot` holding `value` (for slots whose {@link initSlot} is `null`); returns it. */
  protected createSlot(slots: Slots, slot: string, value: tf.Tensor): tf.Variable {
    slots[slot] = tf.variable(value, false);
    return slots[slot];
  }

  /**
   * Applies one update of `p` with gradient `g` (runs inside a tidy; assigns p and the slots).
   * `hp` holds the value of every {@link scheduledOption} at this step.
   */
  protected abstract update(p: tf.Variable, g: tf.Tensor, slots: Slots, lr: number, t: number, hp: Readonly<Record<string, number>>): void;

  /** Updates each named variable from its gradient (`tf.Optimizer` API; used by `minimize` and tfjs-layers). */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const fn = `${this.fnName}.applyGradients`;
    const pairs = gradientPairs(fn, variableGradients);
    const lr = this.currentLr;
    const hp: Record<string, number> = {};
    for (const name of this.hypers.keys()) hp[name] = this.currentValue(name);
    const work: [string, tf.Variable, tf.Tensor][] = [];
    const registered = tf.engine().registeredVariables;
    for (const [name, g] of pairs) {
      if (g == null) continue; // no gradient: PyTorch skips the parameter (its step does not advance)
      // own keys only: a gradient named 'constructor' must not find Object.prototype's
      const p = Object.prototype.hasOwnProperty.call(registered, name) ? registered[name] : undefined;
      if (p == null) throw new Error(`${fn}: variableGradients must name registered variables, got '${name}'`);
      // an int32 gradient would update in int32 arithmetic (or fail inside a kernel): say so
      if (!(g instanceof tf.Tensor) || g.isDisposed || g.dtype !== 'float32' || p.shape.join(',') !== g.shape.join(',')) {
        throw new Error(`${fn}: variableGradients['${name}'] must be a float32 tensor of the variable's shape [${p.shape}], got ${show(g)}`);
      }
      this.checkUpdate((this.paramSteps.get(name) ?? 0) + 1);
      work.push([name, p, g]);
    }
    for (const [name] of work) this.claimRestored(name);
    tf.tidy(() => {
      for (const [name, p, g] of work) {
        const t = (this.paramSteps.get(name) ?? 0) + 1;
        this.paramSteps.set(name, t);
        this.update(p, this.maximize ? tf.neg(g) : g, this.slotsFor(name, p), lr, t, hp);
      }
    });
    this.incrementIterations();
  }

  /**
   * Lets variable `name` take over restored state saved under the same name up to a tfjs-layers
   * uniquifying suffix: `tf.loadLayersModel` re-creates `dense_Dense1/kernel` as
   * `dense_Dense1/kernel_1` when the name is taken. Only state that {@link setWeights} restored
   * and that no gradient has used yet is eligible, and only a single candidate is taken.
   */
  private claimRestored(name: string): void {
    if (this.unclaimed.delete(name) || this.slots.has(name) || this.paramSteps.has(name) || this.unclaimed.size === 0) return;
    const base = (n: string) => n.replace(/_\d+$/, '');
    const found = [...this.unclaimed].filter((n) => base(n) === base(name));
    if (found.length !== 1) return;
    const from = found[0];
    this.unclaimed.delete(from);
    const s = this.slots.get(from);
    if (s) {
      this.slots.delete(from);
      this.slots.set(name, s);
    }
    if (this.paramSteps.has(from)) {
      this.paramSteps.set(name, this.paramSteps.get(from)!);
      this.paramSteps.delete(from);
    }
  }

  private slotsFor(name: string, p: tf.Variable): Slots {
    let s = this.slots.get(name);
    if (!s) {
      s = {};
      this.slots.set(name, s);
    }
    for (const slot of this.slotNames()) {
      if (s[slot]) continue;
      const init = this.initSlot(slot, p);
      if (init) s[slot] = tf.variable(init, false); // shares init's data; the enclosing tidy frees init
    }
    return s;
  }

  /** Disposes every state variable. */
  override dispose(): void {
    for (const s of this.slots.values()) tf.dispose(Object.values(s));
    this.slots.clear();
    this.paramSteps.clear();
    this.unclaimed.clear();
    super.dispose();
  }

  /**
   * The state as named tensors: `iter` first (tfjs convention), then for each variable name
   * `<name>/step` and `<name>/<slot>` (PyTorch slot names). The caller owns (disposes) them.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [await this.saveIterations()];
    // every variable with a step, slots or not (plain SGD keeps no slot, only the step)
    const names = new Set([...this.slots.keys(), ...this.paramSteps.keys()]);
    for (const name of [...names].sort()) {
      out.push({name: `${name}/step`, tensor: tf.scalar(this.paramSteps.get(name) ?? 0, 'int32')});
      const s = this.slots.get(name) ?? {};
      for (const slot of Object.keys(s).sort()) out.push({name: `${name}/${slot}`, tensor: tf.clone(s[slot])});
    }
    return out;
  }

  /**
   * Restores a state from {@link getWeights}, matched by name, in any order (`iter` may be
   * first or anywhere). The given tensors stay owned by the caller. State whose variable name
   * differs only by a tfjs-layers suffix (`kernel` saved, `kernel_1` after `tf.loadLayersModel`)
   * is taken over by that variable at its first update.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const fn = `${this.fnName}.setWeights`;
    const known = new Set(this.slotNames());
    const parsed = weightValues.map(({name, tensor}) => {
      if (name === 'iter') return {kind: 'iter' as const, name, slot: '', tensor};
      const cut = name.lastIndexOf('/');
      const slot = name.slice(cut + 1);
      if (cut <= 0 || (slot !== 'step' && !known.has(slot))) {
        throw new Error(`${fn}: unexpected weight '${name}'; expected 'iter', '<variable>/step' or '<variable>/<${[...known].join('|')}>'`);
      }
      return {kind: slot === 'step' ? ('step' as const) : ('slot' as const), name: name.slice(0, cut), slot, tensor};
    });
    for (const w of parsed) {
      if (w.kind === 'iter') this.iterations_ = (await w.tensor.data())[0];
      else if (w.kind === 'step') this.paramSteps.set(w.name, (await w.tensor.data())[0]);
      if (w.kind !== 'iter') this.unclaimed.add(w.name);
    }
    for (const w of parsed) {
      if (w.kind !== 'slot') continue;
      let s = this.slots.get(w.name);
      if (!s) {
        s = {};
        this.slots.set(w.name, s);
      }
      const old = s[w.slot];
      if (old && old.shape.join(',') === w.tensor.shape.join(',')) old.assign(w.tensor);
      else {
        if (old) old.dispose();
        s[w.slot] = tf.tidy(() => tf.variable(tf.clone(w.tensor), false));
      }
    }
  }
}

/** `[name, gradient]` pairs of a `{name: tensor}` map or a `{name, tensor}[]` list (checked). */
function gradientPairs(fn: string, grads: unknown): [string, unknown][] {
  if (Array.isArray(grads)) {
    return grads.map((v: unknown, i) => {
      const o = v as {name?: unknown; tensor?: unknown} | null;
      if (o == null || typeof o !== 'object' || typeof o.name !== 'string') {
        throw new Error(`${fn}: variableGradients[${i}] must be {name, tensor}, got ${show(v)}`);
      }
      return [o.name, o.tensor];
    });
  }
  if (grads == null || typeof grads !== 'object' || grads instanceof tf.Tensor) {
    throw new Error(`${fn}: variableGradients must be a {name: tensor} map or a list of {name, tensor}, got ${show(grads)}`);
  }
  return Object.entries(grads);
}
