import * as tf from '@tensorflow/tfjs-core';
import {show} from './validate';

/**
 * A weight to average or write: a `tf.Variable`, or a tfjs-layers `LayerVariable`
 * (`model.getWeights()` order is not used; every weight is matched by its `name`).
 */
export interface WeightLike {
  readonly name: string;
}

/** Weights by name (`{name: tensor}`), or a list of named variables / LayerVariables. */
export type Weights = tf.NamedTensorMap | WeightLike[];

/** A checkpointable averager state; the tensors belong to whoever holds the object. */
export interface AveragerState {
  /** updates folded in so far (PyTorch AveragedModel `n_averaged`) */
  nAveraged: number;
  /** the averaged tensors by weight name */
  values: tf.NamedTensorMap;
}

function read(fn: string, name: string, w: unknown, arg = 'weights'): tf.Tensor {
  let t: unknown = w;
  const r = w == null ? undefined : (w as {read?: () => tf.Tensor}).read;
  if (!(w instanceof tf.Tensor) && typeof r === 'function') t = r.call(w);
  // an int32 average would truncate every update (d·e + (1−d)·w rounded): only float32 weights
  if (!(t instanceof tf.Tensor) || t.isDisposed || t.dtype !== 'float32') {
    throw new Error(`${fn}: ${arg}['${name}'] must be a float32 tensor, tf.Variable or LayerVariable, got ${show(w)}`);
  }
  return t;
}

function write(fn: string, w: unknown, v: tf.Tensor): void {
  const o = w as {assign?: (t: tf.Tensor) => void; write?: (t: tf.Tensor) => void; name?: string};
  if (typeof o.write === 'function') o.write(v); // LayerVariable
  else if (typeof o.assign === 'function') o.assign(v); // tf.Variable
  else throw new Error(`${fn}: variables['${o.name}'] must be a tf.Variable or LayerVariable, got ${show(w)}`);
}

/** `[name, weight]` pairs of {@link Weights}. */
function entries(fn: string, ws: Weights, arg = 'weights'): [string, unknown][] {
  if (Array.isArray(ws)) {
    return ws.map((w, i) => {
      if (w == null || typeof w.name !== 'string') throw new Error(`${fn}: ${arg}[${i}] must be a named variable, got ${show(w)}`);
      return [w.name, w];
    });
  }
  if (ws == null || typeof ws !== 'object') throw new Error(`${fn}: ${arg} must be an array of variables or a {name: tensor} map, got ${show(ws)}`);
  return Object.entries(ws);
}

/**
 * Base of {@link ema} and {@link swa}: keeps one averaged copy of each weight, by name, as
 * non-trainable variables, and folds new weights in with {@link combine}. `init` copies the
 * weights (the average before any update, like PyTorch's deep copy in `AveragedModel`).
 */
export abstract class WeightAverager {
  private readonly avg = new Map<string, tf.Variable>();
  private swapped: Map<string, [unknown, tf.Tensor]> | null = null;
  /** updates folded in so far */
  nAveraged = 0;

  protected constructor(private readonly fn: string, private readonly firstUpdateCopies: boolean) {}

  /** a·x + b·p form of one update of average `a` with weights `p` after `n` earlier updates (in a tidy) */
  protected abstract combine(a: tf.Tensor, p: tf.Tensor, n: number): tf.Tensor;

  /** Starts averaging `weights`: the average is a copy of them. Re-init drops the old state. */
  init(weights: Weights): void {
    this.initFrom(`${this.fn}.init`, 'weights', weights);
  }

  /** `init`, with errors naming `fn` and `arg` (setState passes its own). */
  private initFrom(fn: string, arg: string, weights: Weights): void {
    // every weight is checked before the old state is dropped and any variable is made
    const list = entries(fn, weights, arg).map(([name, w]) => [name, read(fn, name, w, arg)] as const);
    this.disposeValues();
    tf.tidy(() => {
      for (const [name, t] of list) this.avg.set(name, tf.variable(tf.clone(t), false));
    });
    this.nAveraged = 0;
  }

  /** Folds the current `weights` (the same names as `init`) into the average. */
  update(weights: Weights): void {
    const fn = `${this.fn}.update`;
    if (this.avg.size === 0) throw new Error(`${fn}: call init(weights) first`);
    const list = entries(fn, weights).map(([name, w]) => {
      const a = this.avg.get(name);
      if (!a) throw new Error(`${fn}: weights must have the names init had (${[...this.avg.keys()].join(', ')}), got '${name}'`);
      const t = read(fn, name, w);
      if (t.shape.join(',') !== a.shape.join(',')) throw new Error(`${fn}: weights['${name}'] must have the average's shape [${a.shape}], got ${show(t)}`);
      return [a, t] as const;
    });
    tf.tidy(() => {
      for (const [a, p] of list) {
        a.assign(this.firstUpdateCopies && this.nAveraged === 0 ? p : this.combine(a, p, this.nAveraged));
      }
    });
    this.nAveraged++;
  }

  /** The averaged tensors by weight name (owned by the averager; do not dispose). */
  get values(): tf.NamedTensorMap {
    return Object.fromEntries(this.avg);
  }

  /** Writes the averages into `variables` (matched by name; names not averaged are an error). */
  copyTo(variables: Weights): void {
    const fn = `${this.fn}.copyTo`;
    for (const [name, w] of this.targets(fn, variables)) write(fn, w, this.avg.get(name)!);
  }

  /** Puts the averages into `variables`, keeping their values for {@link swapOut} (evaluate with the average). */
  swapIn(variables: Weights): void {
    const fn = `${this.fn}.swapIn`;
    if (this.swapped) throw new Error(`${fn}: already swapped in; call swapOut() first`);
    const list = this.targets(fn, variables).map(([name, w]) => [name, w, read(fn, name, w)] as const);
    this.swapped = new Map(list.map(([name, w, t]) => [name, [w, tf.clone(t)]]));
    for (const [name, w] of list) write(fn, w, this.avg.get(name)!);
  }

  /** Restores the values {@link swapIn} replaced. */
  swapOut(): void {
    if (!this.swapped) throw new Error(`${this.fn}.swapOut: nothing is swapped in`);
    for (const [w, old] of this.swapped.values()) {
      write(`${this.fn}.swapOut`, w, old);
      old.dispose();
    }
    this.swapped = null;
  }

  /** A copy of the state for checkpoints (the caller owns its tensors). */
  getState(): AveragerState {
    return {nAveraged: this.nAveraged, values: Object.fromEntries([...this.avg].map(([n, v]) => [n, tf.clone(v)]))};
  }

  /** Restores {@link getState}'s output (copied; the given tensors stay the caller's). */
  setState(state: AveragerState): void {
    const fn = `${this.fn}.setState`;
    if (state == null || !Number.isInteger(state.nAveraged) || state.nAveraged < 0 || state.values == null || typeof state.values !== 'object') {
      throw new Error(`${fn}: state must be {nAveraged: integer >= 0, values: {name: tensor}}, got ${show(state)}`);
    }
    this.initFrom(fn, 'state.values', state.values);
    this.nAveraged = state.nAveraged;
  }

  /** Frees the averaged tensors (and a pending swap). */
  dispose(): void {
    if (this.swapped) for (const [, old] of this.swapped.values()) old.dispose();
    this.swapped = null;
    this.disposeValues();
  }

  private disposeValues(): void {
    for (const v of this.avg.values()) v.dispose();
    this.avg.clear();
  }

  private targets(fn: string, variables: Weights): [string, unknown][] {
    const list = entries(fn, variables);
    for (const [name, w] of list) {
      const a = this.avg.get(name);
      if (!a) throw new Error(`${fn}: variables must be averaged weights (${[...this.avg.keys()].join(', ') || 'none: call init'}), got '${name}'`);
      const o = (w ?? {}) as {shape?: number[]; assign?: unknown; write?: unknown};
      if (w == null || (typeof o.assign !== 'function' && typeof o.write !== 'function')) {
        throw new Error(`${fn}: variables['${name}'] must be a tf.Variable or LayerVariable, got ${show(w)}`);
      }
      const s = o.shape;
      if (s && s.join(',') !== a.shape.join(',')) throw new Error(`${fn}: variables['${name}'] must have the average's shape [${a.shape}], got [${s}]`);
    }
    return list;
  }
}
