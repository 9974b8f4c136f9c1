import * as tf from '@tensorflow/tfjs-core';
import type {NormType} from './types';
import {unitwiseNormUnchecked} from './unitwise_norm';
import {checkNormType, checkOptions, checkPositive, checkTensorMap, show} from './validate';

/** Options of `adaptiveClip`. */
export interface AdaptiveClipOptions {
  /** λ, the largest allowed ratio ‖g‖ / ‖w‖ per unit (default 0.01, timm's default). */
  clipFactor?: number;
  /** Floor of the parameter norm, so zero-initialised weights can still move (default 1e-3). */
  eps?: number;
  /** 1, 2 (default) or `'inf'`. */
  normType?: NormType;
  /** Names left unclipped (NFNets leave the final classifier layer unclipped), or a predicate. */
  exclude?: string[] | ((name: string) => boolean);
}

/**
 * Adaptive gradient clipping (AGC), per output unit i:
 * g_i ← g_i · λ·max(‖w_i‖, eps) / max(‖g_i‖, 1e-6)  when ‖g_i‖ >= λ·max(‖w_i‖, eps), else g_i.
 *
 * timm `adaptive_clip_grad` exactly, in TF.js layouts (unit = last axis, see `unitwiseNorm`):
 * the parameter norm is floored at `eps` **before** the multiplication by `clipFactor`, and 1e-6
 * keeps a zero gradient from dividing by zero. Computed on device, nothing is read back.
 * Reference: Brock, De, Smith & Simonyan 2021, "High-Performance Large-Scale Image Recognition
 * Without Normalization", https://arxiv.org/abs/2102.06171 ; Optax `adaptive_grad_clip`.
 *
 * ```ts
 * const clipped = adaptiveClip(grads, params, {clipFactor: 0.01, exclude: ['head/kernel', 'head/bias']});
 * ```
 * @param grads gradients by variable name
 * @param params the parameters by the same names (every gradient needs one, same shape)
 * @param options `clipFactor` (0.01), `eps` (1e-3), `normType` (2), `exclude` (names or predicate)
 * @returns new clipped tensors by the same names (the caller disposes them)
 */
export function adaptiveClip(
  grads: tf.NamedTensorMap,
  params: tf.NamedTensorMap,
  options?: AdaptiveClipOptions,
): tf.NamedTensorMap {
  const fn = 'adaptiveClip';
  checkTensorMap(fn, 'grads', grads);
  checkTensorMap(fn, 'params', params);
  const opts = checkOptions<AdaptiveClipOptions>(fn, options);
  const clipFactor = checkPositive(fn, 'clipFactor', opts.clipFactor ?? 0.01);
  const eps = checkPositive(fn, 'eps', opts.eps ?? 1e-3, true);
  const p = checkNormType(fn, opts.normType ?? 2);
  const isExcluded = checkExclude(fn, opts.exclude);
  for (const [name, g] of Object.entries(grads)) {
    const w = params[name];
    if (w === undefined) {
      throw new Error(`${fn}: params must have a tensor for every name in grads (${show(Object.keys(params))}), got none for '${name}'`);
    }
    if (w.shape.join(',') !== g.shape.join(',')) {
      throw new Error(`${fn}: params['${name}'] must have grads['${name}']'s shape [${g.shape}], got ${show(w)}`);
    }
  }
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) {
      if (isExcluded(name)) {
        out[name] = tf.clone(g);
        continue;
      }
      const maxNorm = tf.mul(tf.maximum(unitwiseNormUnchecked(params[name], p), eps), clipFactor);
      const gradNorm = unitwiseNormUnchecked(g, p);
      // timm: where(grad_norm < max_norm, g, g * max_norm / grad_norm.clamp(min=1e-6)),
      // done on the (small) norm shape and broadcast once.
      const scale = tf.where(tf.less(gradNorm, maxNorm), tf.onesLike(gradNorm), tf.div(maxNorm, tf.maximum(gradNorm, 1e-6)));
      out[name] = tf.mul(g, scale);
    }
    return out;
  });
}

function checkExclude(fn: string, exclude: unknown): (name: string) => boolean {
  if (exclude === undefined) return () => false;
  if (typeof exclude === 'function') return exclude as (name: string) => boolean;
  if (Array.isArray(exclude) && exclude.every((e) => typeof e === 'string')) {
    const set = new Set(exclude as string[]);
    return (name) => set.has(name);
  }
  throw new Error(`${fn}: exclude must be an array of names or a function, got ${show(exclude)}`);
}
