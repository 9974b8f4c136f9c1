// The module shape every layer here shares (DESIGN.md): apply(x, {training}), variables,
// dispose(), getState()/setState(). Internal base class; the options types are exported.
import * as tf from '@tensorflow/tfjs-core';
import {checkInput, checkPositiveInt, MAX_CHANNELS, show} from './validate';

/** Options of `apply`. */
export interface ApplyOptions {
  /** true: batch statistics (and moving-average updates where there are any); false: inference */
  training: boolean;
}

const used = new Map<string, number>();

/** A fresh default layer name: `batch_norm`, `batch_norm_1`, ... */
export function uniqueName(prefix: string): string {
  const n = used.get(prefix) ?? 0;
  used.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Common state and checks of the normalisation layers. */
export abstract class NormLayer {
  /** layer name; variables are named `${name}/gamma` etc. */
  readonly name: string;
  /** size of the last (channel / feature) axis of the input */
  readonly channels: number;
  /** all variables, trainable (gamma, beta) and not (moving statistics) */
  readonly variables: tf.Variable[] = [];
  /** class name for messages (explicit: minifiers rename classes) */
  protected kind: string;
  private disposed = false;

  protected constructor(kind: string, prefix: string, channels: unknown, name: unknown) {
    this.kind = kind;
    checkPositiveInt(kind, 'channels', channels, MAX_CHANNELS);
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
      throw new Error(`${kind}: name must be a non-empty string, got ${show(name)}`);
    }
    this.channels = channels as number;
    this.name = (name as string | undefined) ?? uniqueName(prefix);
    // tfjs variable names are global: a second live layer of this name would fail half-built
    const taken = Object.keys(tf.engine().registeredVariables).find((n) => n.startsWith(`${this.name}/`));
    if (taken !== undefined) {
      throw new Error(`${kind}: name must not be in use, got ${show(name)} (variable '${taken}' exists: dispose the old layer or choose another name)`);
    }
  }

  /** `Kind 'name'`, for error messages. */
  protected get label(): string {
    return `${this.kind} '${this.name}'`;
  }

  /** Makes a variable `${name}/${suffix}` of `shape` (default `[channels]`) filled with `value`. */
  protected addVariable(suffix: string, value: number, trainable: boolean, shape = [this.channels]): tf.Variable {
    const v = tf.tidy(() => tf.variable(tf.fill(shape, value), trainable, `${this.name}/${suffix}`));
    this.variables.push(v);
    return v;
  }

  /**
   * Checks `x` and `opts` before `apply` makes any tensor; returns `training`. `trailing`: the
   * sizes x's last axes must have (LayerNorm / RMSNorm `normalizedShape`); default `[channels]`.
   */
  protected checkApply(
    x: unknown,
    opts: ApplyOptions | undefined,
    minRank: number,
    trailing?: readonly number[],
  ): boolean {
    if (this.disposed) throw new Error(`${this.label}: apply called after dispose()`);
    const c = checkInput(`${this.label}.apply`, 'x', x, minRank);
    const t = x as tf.Tensor;
    const k = trailing?.length ?? 1;
    if (k > 1 && (t.rank < k || t.shape.slice(t.rank - k).join(',') !== trailing!.join(','))) {
      throw new Error(
        `${this.label}.apply: x must end in normalizedShape [${trailing}], got shape [${t.shape}]`,
      );
    }
    if (c !== this.channels) {
      throw new Error(
        `${this.label}.apply: x must have ${this.channels} channels in the last axis, got shape [${(x as tf.Tensor).shape}]`,
      );
    }
    if (!opts || typeof opts.training !== 'boolean') {
      throw new Error(`${this.label}.apply: opts.training must be true or false, got ${show(opts)}`);
    }
    return opts.training;
  }

  /** Copies of every variable, keyed by variable name (for checkpoints); the caller owns them. */
  getState(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const v of this.variables) out[v.name] = tf.clone(v);
    return out;
  }

  /** Restores what `getState` returned (all names, same shapes); the caller keeps ownership. */
  setState(state: tf.NamedTensorMap): void {
    for (const v of this.variables) {
      const t = state?.[v.name];
      if (!(t instanceof tf.Tensor) || t.isDisposed || t.shape.join(',') !== v.shape.join(',')) {
        throw new Error(`${this.label}.setState: state['${v.name}'] must be a tensor of shape [${v.shape}], got ${show(t)}`);
      }
    }
    tf.tidy(() => {
      for (const v of this.variables) v.assign(tf.cast(state[v.name], v.dtype));
    });
  }

  /** Frees the variables; the layer cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables) v.dispose();
  }
}
