import * as tf from '@tensorflow/tfjs-core';
import {globalNormUnchecked} from './global_norm';
import type {PNormType} from './types';
import {checkOptions, checkPNormType, checkPositive, checkTensorMap, F32_MAX} from './validate';

/** Options of `clipPerParam`. */
export interface ClipPerParamOptions {
  /** 2 (default), 1, `'inf'` or any finite p >= 1, as PyTorch's `norm_type`. */
  normType?: PNormType;
  /** Added to each tensor's norm before dividing (PyTorch's 1e-6, the default). */
  eps?: number;
}

/**
 * Clips every tensor by its own norm, as calling PyTorch `clip_grad_norm_([p], maxNorm, normType)`
 * once per parameter: g ← g · min(1, maxNorm / (‖g‖_p + eps)), ‖g‖_p = (Σ |g|^p)^(1/p) over
 * that tensor alone (max |g| for p = 'inf').
 *
 * Differs from `clipByNorm` (Keras `clipnorm`, `tf.clip_by_norm`: g · c / max(‖g‖₂, c), no eps,
 * L2 only) by PyTorch's `+ eps` and the choice of p. `createClipper({mode: 'perParam'})` builds
 * it from plain options. Nothing is read back from the device.
 * Reference: PyTorch `torch.nn.utils.clip_grad_norm_`,
 * https://pytorch.org/docs/1.13/generated/torch.nn.utils.clip_grad_norm_.html
 *
 * ```ts
 * const clipped = clipPerParam(grads, 1.0, {normType: 2});
 * ```
 * @param grads gradients by variable name, as `tf.variableGrads` returns them
 * @param maxNorm largest allowed norm of one tensor, finite and > 0
 * @param options `normType` (default 2), `eps` (default 1e-6)
 * @returns the clipped gradients (new tensors; the caller disposes them)
 */
export function clipPerParam(
  grads: tf.NamedTensorMap,
  maxNorm: number,
  options?: ClipPerParamOptions,
): tf.NamedTensorMap {
  const fn = 'clipPerParam';
  checkTensorMap(fn, 'grads', grads);
  const m = Math.min(checkPositive(fn, 'maxNorm', maxNorm), F32_MAX);
  const opts = checkOptions<ClipPerParamOptions>(fn, options);
  const p = checkPNormType(fn, opts.normType ?? 2);
  const eps = checkPositive(fn, 'eps', opts.eps ?? 1e-6, true);
  return tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) {
      const norm = globalNormUnchecked({g}, p);
      const coef = tf.minimum(1, tf.div(m, tf.add(norm, eps)));
      out[name] = tf.mul(g, tf.cast(coef, g.dtype));
    }
    return out;
  });
}
