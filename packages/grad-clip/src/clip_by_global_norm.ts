import * as tf from '@tensorflow/tfjs-core';
import {globalNormUnchecked} from './global_norm';
import type {PNormType} from './types';
import {checkBoolean, checkOptions, checkPNormType, checkPositive, checkTensorMap, F32_MAX, show} from './validate';

/** Options of `clipByGlobalNorm`. */
export interface ClipByGlobalNormOptions {
  /** 2 (default), 1, `'inf'` or any finite p >= 1 (PyTorch `norm_type`, e.g. 3.0). */
  normType?: PNormType;
  /** Added to the norm before dividing (PyTorch's 1e-6, the default); keeps all-zero grads at zero. */
  eps?: number;
  /**
   * Throw when the total norm is NaN or ±Infinity (PyTorch `error_if_nonfinite`). This is the one
   * option that reads a value back to the host (a sync) on every call; it is off by default.
   */
  errorIfNonfinite?: boolean;
  /**
   * The global norm of `grads` of this `normType`, when the caller has already measured it (a
   * training loop's guard does): it is used as is, not measured again, and not disposed; the
   * result's `norm` is this same tensor.
   */
  norm?: tf.Scalar;
}

/** What `clipByGlobalNorm` returns. */
export interface ClipByGlobalNormResult {
  /** The clipped gradients, same names and shapes (new tensors; the caller disposes them). */
  grads: tf.NamedTensorMap;
  /** The global norm measured **before** clipping, as PyTorch returns it (a scalar tensor). */
  norm: tf.Scalar;
}

/**
 * Rescales all gradients together so that their global norm is at most `maxNorm`:
 * g ← g · min(1, maxNorm / (‖g‖_p + eps)), ‖g‖_p = (Σ |g|^p)^(1/p) over all tensors together
 * (max |g| for p = 'inf').
 *
 * PyTorch `torch.nn.utils.clip_grad_norm_` exactly (eps 1e-6, the returned norm is the one
 * before clipping, all-zero gradients stay zero), Keras `global_clipnorm`, Optax
 * `clip_by_global_norm` (which has no eps). Computed on device: the coefficient is multiplied in,
 * nothing is read back (except with `errorIfNonfinite`).
 * Reference: Pascanu, Mikolov & Bengio 2013, https://arxiv.org/abs/1211.5063
 *
 * ```ts
 * const {grads, norm} = clipByGlobalNorm(tf.variableGrads(loss).grads, 1.0);
 * optimizer.applyGradients(grads);
 * ```
 * @param grads gradients by variable name, as `tf.variableGrads` returns them
 * @param maxNorm largest allowed global norm, finite and > 0
 * @param options `normType` (2, 1, 'inf' or any p >= 1), `eps` (default 1e-6), `errorIfNonfinite` (default false),
 *   `norm` (a precomputed norm of `grads`)
 * @returns the clipped gradients and the norm before clipping
 */
export function clipByGlobalNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
  options?: ClipByGlobalNormOptions,
): ClipByGlobalNormResult {
  const fn = 'clipByGlobalNorm';
  checkTensorMap(fn, 'grads', grads);
  checkPositive(fn, 'maxNorm', maxNorm);
  const opts = checkOptions<ClipByGlobalNormOptions>(fn, options);
  const p = checkPNormType(fn, opts.normType ?? 2);
  const eps = checkPositive(fn, 'eps', opts.eps ?? 1e-6, true);
  const errorIfNonfinite = checkBoolean(fn, 'errorIfNonfinite', opts.errorIfNonfinite ?? false);
  const given = opts.norm;
  if (given !== undefined && !(given instanceof tf.Tensor && given.rank === 0 && !given.isDisposed)) {
    throw new Error(`${fn}: norm must be a live scalar tensor (the global norm of grads), got ${show(given)}`);
  }

  const norm = given ?? globalNormUnchecked(grads, p);
  if (errorIfNonfinite) {
    // The documented exception to "no host sync": the caller asked for a thrown error.
    const value = norm.dataSync()[0];
    if (!Number.isFinite(value)) {
      if (given === undefined) norm.dispose();
      throw new Error(
        `${fn}: the total norm of order ${p} of the gradients is non-finite (${value}), so it cannot be ` +
          `clipped; pass errorIfNonfinite: false to scale them anyway`,
      );
    }
  }
  const clipped = scaleAll(grads, norm, Math.min(maxNorm, F32_MAX), eps);
  return {grads: clipped, norm};
}

/** g · min(1, maxNorm / (norm + eps)) for every tensor (internal; used by AutoClip too). */
export function scaleAll(
  grads: tf.NamedTensorMap,
  norm: tf.Scalar,
  maxNorm: number | tf.Scalar,
  eps: number,
): tf.NamedTensorMap {
  return tf.tidy(() => {
    const denom = tf.add(norm, eps);
    const ratio = tf.minimum(1, tf.div(maxNorm, denom));
    // a tensor threshold (AutoClip's percentile) is Infinity once an overflowed norm is in its
    // history: Infinity / Infinity would be NaN, but a threshold >= the norm means no clipping
    const coef = typeof maxNorm === 'number' ? ratio : tf.where(tf.greaterEqual(maxNorm, denom), tf.onesLike(ratio), ratio);
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, tf.cast(coef, g.dtype));
    return out;
  });
}

/**
 * The clipping coefficient min(1, maxNorm / (norm + eps)) of `scaleAll`, computed on the host from
 * a norm already read back: every step is rounded to float32 (`Math.fround` of the float64 result
 * is the correctly rounded float32 sum or quotient), so it is bit-identical to the device's.
 * @param norm the global norm (a float32 value read from the device)
 * @param maxNorm largest allowed norm
 * @param eps added to the norm before dividing
 */
export function clipCoefficient(norm: number, maxNorm: number, eps: number): number {
  const f = Math.fround;
  return Math.min(1, f(f(maxNorm) / f(f(norm) + f(eps))));
}

/**
 * g · coef for every float32 tensor, with a coefficient known on the host: coef = 1 gives clones
 * (no arithmetic; the caller owns the result as usual), any other value one multiplication each.
 * @param grads float32 gradients by name
 * @param coef from `clipCoefficient`
 */
export function scaleByCoefficient(grads: tf.NamedTensorMap, coef: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    const c = coef === 1 ? null : tf.scalar(coef, 'float32');
    for (const [name, g] of Object.entries(grads)) out[name] = c ? tf.mul(g, c) : tf.clone(g);
    return out;
  });
}
