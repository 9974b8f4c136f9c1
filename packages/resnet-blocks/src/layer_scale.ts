import * as tf from '@tensorflow/tfjs-core';
import type {ApplyOptions, Module} from './types';
import {checkFreeNames, checkInt, checkSize, F32_MAX, show} from './validate';

/**
 * The LayerScale residual: y = x + γ ⊙ f(x), γ per channel (the last axis) broadcast over the rest.
 * The functional form of {@link layerScale}; differentiable in x, f(x) and γ.
 *
 * Same as CaiT / timm `x + drop_path(ls(f(x)))` with `LayerScale(dim, init_values)` (`x * gamma`).
 * Reference: Touvron et al. 2021, "Going deeper with Image Transformers" (CaiT),
 * https://arxiv.org/abs/2103.17239
 *
 * ```ts
 * const y = layerScaleResidual(x, mlp(x), gamma); // gamma [D]
 * ```
 * @param x the shortcut, `[..., D]`
 * @param fx the branch output f(x), x's shape
 * @param gamma per-channel scale `[D]`
 * @returns a new tensor of x's shape
 */
export function layerScaleResidual(x: tf.Tensor, fx: tf.Tensor, gamma: tf.Tensor): tf.Tensor {
  const fn = 'layerScaleResidual';
  for (const [arg, t] of [['x', x], ['fx', fx], ['gamma', gamma]] as const) {
    if (!(t instanceof tf.Tensor) || t.isDisposed) throw new Error(`${fn}: ${arg} must be a live tf.Tensor, got ${show(t)}`);
  }
  if (x.shape.join(',') !== fx.shape.join(',')) {
    throw new Error(`${fn}: fx must have x's shape [${x.shape}], got [${fx.shape}]`);
  }
  const d = x.shape[x.rank - 1];
  if (gamma.rank !== 1 || gamma.shape[0] !== d) throw new Error(`${fn}: gamma must have shape [${d}], got [${gamma.shape}]`);
  return tf.tidy(() => tf.add(x, tf.mul(fx, gamma)));
}

/** Options of {@link layerScale}. */
export interface LayerScaleOptions {
  /** channels D (the last axis) */
  dim: number;
  /** initial γ: small, CaiT uses 1e-5 (default; depth <= 18), 1e-6 (depth 24+), 0.1 shallow */
  initValue?: number;
  /** variable prefix: `${name}/gamma` (default `layer_scale`, `layer_scale_1`, ...) */
  name?: string;
}

/** A LayerScale module: a learned per-channel γ. */
export interface LayerScale extends Module {
  readonly name: string;
  readonly dim: number;
  /** `${name}/gamma`, shape `[dim]`, trainable */
  readonly gamma: tf.Variable;
  /**
   * `apply(fx)` (or `apply(fx, {training})`): γ ⊙ fx, the branch scaled (timm `LayerScale.forward`);
   * `apply(x, fx)`: the whole residual x + γ ⊙ fx, as {@link LayerScale.residual}
   */
  apply(fxOrX: tf.Tensor, optsOrFx?: ApplyOptions | tf.Tensor): tf.Tensor;
  /** x + γ ⊙ fx ({@link layerScaleResidual}) */
  residual(x: tf.Tensor, fx: tf.Tensor): tf.Tensor;
  /** a copy of γ keyed by variable name (for checkpoints) */
  getState(): tf.NamedTensorMap;
  /** restores what `getState` returned */
  setState(state: tf.NamedTensorMap): void;
}

const used = new Map<string, number>();

/**
 * LayerScale (CaiT): a learned per-channel scale γ on a residual branch, started small so that
 * every block begins close to the identity, y = x + γ ⊙ f(x). γ is `${name}/gamma` `[dim]`,
 * filled with `initValue` (default 1e-5).
 *
 * Same as timm `LayerScale(dim, init_values=1e-5)` (`timm/layers/layer_scale.py`).
 * Reference: Touvron et al. 2021, https://arxiv.org/abs/2103.17239
 *
 * ```ts
 * const ls = layerScale({dim: 64, initValue: 1e-6, name: 'block3/ls'});
 * const y = ls.residual(x, attention(x)); // x + γ ⊙ attention(x)
 * ```
 * @param opts `dim`, `initValue`, `name`
 */
export function layerScale(opts: LayerScaleOptions): LayerScale {
  const fn = 'layerScale';
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: options must be an object, got ${show(opts)}`);
  const dim = checkInt(fn, 'dim', opts.dim);
  const init = opts.initValue ?? 1e-5;
  if (typeof init !== 'number' || !(Math.abs(init) <= F32_MAX)) throw new Error(`${fn}: initValue must be a finite float32 number, got ${show(init)}`);
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length === 0)) {
    throw new Error(`${fn}: name must be a non-empty string, got ${show(opts.name)}`);
  }
  let name = opts.name;
  if (name === undefined) {
    const n = used.get(fn) ?? 0;
    used.set(fn, n + 1);
    name = n === 0 ? 'layer_scale' : `layer_scale_${n}`;
  }
  checkSize(fn, [dim], 'dim');
  checkFreeNames(fn, [`${name}/gamma`]);
  const gamma = tf.tidy(() => tf.variable(tf.fill([dim], init), true, `${name}/gamma`));
  let disposed = false;
  const live = (where: string) => {
    if (disposed) throw new Error(`${fn} '${name}'.${where}: called after dispose()`);
  };
  const checkLast = (where: string, t: tf.Tensor) => {
    if (!(t instanceof tf.Tensor) || t.shape[t.rank - 1] !== dim) {
      throw new Error(`${fn} '${name}'.${where}: x must have ${dim} channels in the last axis, got ${show(t)}`);
    }
  };
  return {
    name,
    dim,
    gamma,
    variables: [gamma],
    apply(a: tf.Tensor, b?: ApplyOptions | tf.Tensor): tf.Tensor {
      live('apply');
      checkLast('apply', a);
      if (b instanceof tf.Tensor) return layerScaleResidual(a, b, gamma);
      return tf.mul(a, gamma);
    },
    residual(x: tf.Tensor, fx: tf.Tensor): tf.Tensor {
      live('residual');
      checkLast('residual', x);
      return layerScaleResidual(x, fx, gamma);
    },
    getState: () => {
      live('getState');
      return {[gamma.name]: tf.clone(gamma)};
    },
    setState: (state: tf.NamedTensorMap) => {
      live('setState');
      const t = state?.[gamma.name];
      if (!(t instanceof tf.Tensor) || t.shape.join(',') !== `${dim}`) {
        throw new Error(`${fn} '${name}'.setState: '${gamma.name}' must be a tensor of shape [${dim}], got ${t instanceof tf.Tensor ? `[${t.shape}]` : show(t)}`);
      }
      tf.tidy(() => gamma.assign(tf.cast(t, 'float32')));
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      gamma.dispose();
    },
  };
}
