import * as tf from '@tensorflow/tfjs-core';
import {checkOptions, show} from './validate';

/**
 * Which axis of the kernel keeps one `g` per entry (the norm runs over all the others), or `null`
 * for one norm over the whole kernel (scalar `g`).
 */
export type WeightNormAxis = number | null;

/** Resolves `axis` against `rank` (negative counts from the end); throws naming `fn`. */
function resolveAxis(fn: string, axis: unknown, rank: number): number | null {
  if (axis === null) return null;
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${fn}: axis must be an integer in [${-rank}, ${rank - 1}] or null, got ${show(axis)}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Shape `g` has for a kernel of `shape`: `[shape[axis]]`, or `[]` for `axis: null`. */
function gShape(shape: number[], axis: number | null): number[] {
  return axis === null ? [] : [shape[axis]];
}

/** ‖v‖₂ over every axis but `axis` (kept dims), or over all of v (internal, no checks). */
function normExcept(v: tf.Tensor, axis: number | null): tf.Tensor {
  const axes = [...Array(v.rank).keys()].filter((a) => a !== axis);
  return tf.sqrt(tf.sum(tf.square(v), axes, axis !== null));
}

/**
 * The weight-normalised kernel W = g · v / ‖v‖₂, the norm taken over every axis of `v` except
 * `axis` (one `g` per entry of that axis), or over all of `v` with `axis: null` (scalar `g`).
 * Differentiable in `v` and `g`; the functional form of {@link weightNorm}.
 *
 * In TF.js layouts the output unit is the LAST axis (dense `[in, out]`, conv `[h, w, in, out]`),
 * so the default `axis = -1` is PyTorch `torch.nn.utils.weight_norm(module, dim=0)` (PyTorch stores
 * the output unit first: `[out, in]`, `[out, in, h, w]`); `axis: null` is PyTorch `dim=None`.
 * Reference: Salimans & Kingma 2016, https://arxiv.org/abs/1602.07868;
 * PyTorch: https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html
 *
 * ```ts
 * const w = weightNormKernel(tf.randomNormal([6, 4]), tf.ones([4])); // every column has norm 1
 * ```
 * @param v direction, any kernel of rank >= 1
 * @param g magnitudes: shape `[v.shape[axis]]`, or `[]` for `axis: null`
 * @param axis kept axis (default -1, the output unit), or null
 * @returns W, same shape as `v` (the caller disposes it)
 */
export function weightNormKernel(v: tf.Tensor, g: tf.Tensor, axis: WeightNormAxis = -1): tf.Tensor {
  const fn = 'weightNormKernel';
  // norms of int32 tensors fail inside tf.sqrt: v and g are float32 (weightNorm casts its kernel)
  if (!(v instanceof tf.Tensor) || v.isDisposed || v.dtype !== 'float32') throw new Error(`${fn}: v must be a live float32 tf.Tensor, got ${show(v)}`);
  if (v.rank < 1) throw new Error(`${fn}: v must have rank >= 1, got shape [${v.shape}]`);
  const a = resolveAxis(fn, axis, v.rank);
  const want = gShape(v.shape, a);
  if (!(g instanceof tf.Tensor) || g.isDisposed || g.dtype !== 'float32' || g.shape.join(',') !== want.join(',')) {
    throw new Error(`${fn}: g must be a float32 tensor of shape [${want}], got ${show(g)}`);
  }
  return tf.tidy(() => {
    const bshape = v.shape.map((d, i) => (i === a ? d : 1));
    const gb = a === null ? g : tf.reshape(g, bshape);
    return tf.mul(v, tf.div(gb, normExcept(v, a)));
  });
}

/** Options of {@link weightNorm}. */
export interface WeightNormOptions {
  /** the kernel to reparametrise (copied into `v`; `g` starts at its norm so W is unchanged) */
  kernel: tf.Tensor;
  /** kept axis (default -1: one g per output unit in TF.js layouts = PyTorch dim=0), or null (dim=None) */
  axis?: WeightNormAxis;
  /** variable prefix: `${name}/g`, `${name}/v` (default `weight_norm`, `weight_norm_1`, ...) */
  name?: string;
}

/** A weight-normalised kernel: trainable `g` and `v`, the kernel computed from them. */
export interface WeightNorm {
  readonly name: string;
  /** the kept axis, resolved to a non-negative number, or null */
  readonly axis: number | null;
  /** magnitudes, `${name}/g`, shape `[kernel.shape[axis]]` or `[]` (trainable) */
  readonly g: tf.Variable;
  /** direction, `${name}/v`, the kernel's shape (trainable) */
  readonly v: tf.Variable;
  /** [g, v] */
  readonly variables: tf.Variable[];
  /** W = g · v / ‖v‖ (a new tensor; differentiable, use it inside `tf.variableGrads`) */
  kernel(): tf.Tensor;
  /** copies of g and v keyed by variable name (for checkpoints); the caller disposes them */
  getState(): tf.NamedTensorMap;
  /** restores what `getState` returned (same names and shapes) */
  setState(state: tf.NamedTensorMap): void;
  dispose(): void;
}

const used = new Map<string, number>();

/**
 * Weight normalisation: replaces a kernel by trainable `g` and `v` with W = g · v / ‖v‖₂, the norm
 * over every axis but `axis` ({@link weightNormKernel}). At creation `v` = the kernel and
 * `g` = ‖kernel‖, so W starts equal to the kernel (as PyTorch `weight_norm`). Decouples the length
 * of each weight vector from its direction, which conditions the optimisation better.
 *
 * Same as PyTorch `torch.nn.utils.weight_norm(module, name='weight', dim=0)` with PyTorch's `[out, in]`
 * translated to TF.js `[in, out]`: PyTorch `dim=0` (per output unit) is `axis: -1` here (the
 * default), `dim=None` is `axis: null`; PyTorch's `weight_g` of shape `[out, 1]` is `g` of shape `[out]`.
 * Reference: Salimans & Kingma 2016, https://arxiv.org/abs/1602.07868;
 * PyTorch: https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html
 *
 * ```ts
 * const wn = weightNorm({kernel: tf.randomNormal([784, 128]), name: 'fc1'});
 * const {grads} = tf.variableGrads(() => tf.sum(tf.matMul(x, wn.kernel()))); // fc1/g, fc1/v
 * ```
 * @param opts `kernel`, `axis`, `name`
 */
export function weightNorm(opts: WeightNormOptions): WeightNorm {
  const fn = 'weightNorm';
  checkOptions(fn, 'opts', opts, ['kernel', 'axis', 'name']);
  if (opts === undefined) throw new Error(`${fn}: opts must be an object with a kernel, got undefined`);
  const k = opts.kernel;
  if (!(k instanceof tf.Tensor) || k.isDisposed) throw new Error(`${fn}: kernel must be a live tf.Tensor, got ${show(k)}`);
  if (k.rank < 1) throw new Error(`${fn}: kernel must have rank >= 1, got shape [${k.shape}]`);
  const axis = resolveAxis(fn, opts.axis === undefined ? -1 : opts.axis, k.rank);
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length === 0)) {
    throw new Error(`${fn}: name must be a non-empty string, got ${show(opts.name)}`);
  }
  let name = opts.name;
  if (name === undefined) {
    const n = used.get('weight_norm') ?? 0;
    used.set('weight_norm', n + 1);
    name = n === 0 ? 'weight_norm' : `weight_norm_${n}`;
  }
  // tfjs variable names are global: a live `${name}/g` would fail half-built (g made, v refused)
  for (const n of [`${name}/g`, `${name}/v`]) {
    if (Object.prototype.hasOwnProperty.call(tf.engine().registeredVariables, n)) {
      throw new Error(`${fn}: name must not be in use, got ${show(name)} (variable '${n}' exists: dispose the old one or choose another name)`);
    }
  }
  const want = gShape(k.shape, axis);
  const g = tf.tidy(() => tf.variable(tf.reshape(normExcept(tf.cast(k, 'float32'), axis), want), true, `${name}/g`));
  const v = tf.tidy(() => tf.variable(tf.cast(k, 'float32'), true, `${name}/v`));
  let disposed = false;
  const live = (where: string) => {
    if (disposed) throw new Error(`${fn} '${name}'.${where}: called after dispose()`);
  };
  return {
    name,
    axis,
    g,
    v,
    variables: [g, v],
    kernel: () => {
      live('kernel');
      return weightNormKernel(v, g, axis);
    },
    getState: () => {
      live('getState');
      return {[g.name]: tf.clone(g), [v.name]: tf.clone(v)};
    },
    setState: (state: tf.NamedTensorMap) => {
      live('setState');
      for (const w of [g, v]) {
        const t = state?.[w.name];
        if (!(t instanceof tf.Tensor) || t.shape.join(',') !== w.shape.join(',')) {
          throw new Error(`${fn} '${name}'.setState: state['${w.name}'] must be a tensor of shape [${w.shape}], got ${show(t)}`);
        }
      }
      tf.tidy(() => [g, v].forEach((w) => w.assign(tf.cast(state[w.name], 'float32'))));
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      g.dispose();
      v.dispose();
    },
  };
}
