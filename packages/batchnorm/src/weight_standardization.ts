import * as tf from '@tensorflow/tfjs-core';
import {batchAxes, checkInput, checkPositive, show} from './validate';
import {moments} from './moments';

/**
 * Weight standardisation of a kernel, per output unit (the last axis):
 * W_hat = (W - mean(W)) / sqrt(var(W) + eps), mean and biased variance over every axis but the
 * last, i.e. axes [0, 1, 2] of a conv kernel `[h, w, in, out]` (axis 0 of a dense `[in, out]`).
 * Differentiable: use it on the kernel inside the loss so the gradient flows through it.
 *
 * Same as timm `StdConv2d` (eps inside the square root, biased variance) and BiT's
 * standardised conv; pairs with GroupNorm when batches are small.
 * Reference: Qiao et al. 2019, https://arxiv.org/abs/1903.10520
 *
 * ```ts
 * const y = tf.conv2d(x, weightStandardization(kernel), 1, 'same'); // then GroupNorm
 * ```
 * @param kernel conv kernel `[h, w, in, out]` or dense kernel `[in, out]`; more than one value per unit
 * @param eps added to the variance inside the square root, finite and > 0 (default 1e-6, timm's)
 */
export function weightStandardization(kernel: tf.Tensor, eps = 1e-6): tf.Tensor {
  return standardize('weightStandardization', kernel, eps);
}

/** `weightStandardization`, its errors starting with `fn` (internal). */
function standardize(fn: string, kernel: tf.Tensor, eps: number): tf.Tensor {
  checkInput(fn, 'kernel', kernel, 2);
  checkPositive(fn, 'eps', eps);
  return tf.tidy(() => {
    const {mean, variance} = moments(kernel, batchAxes(kernel.rank), true);
    return tf.mul(tf.sub(kernel, mean), tf.rsqrt(tf.add(variance, eps)));
  });
}

/** Options of {@link WeightStandardization}. */
export interface WeightStandardizationOptions {
  /** added to the variance inside the square root (default 1e-6) */
  eps?: number;
}

/**
 * Helper that standardises conv kernels before use ({@link weightStandardization} with a fixed
 * eps), plus a standardised `conv2d`. It holds no tensors; the kernel stays the caller's variable.
 * Reference: Qiao et al. 2019, https://arxiv.org/abs/1903.10520
 *
 * ```ts
 * const ws = new WeightStandardization({eps: 1e-6});
 * const gn = new GroupNorm({channels: 32, groups: 8});
 * const y = gn.apply(ws.conv2d(x, kernel, 1, 'same'), {training: true});
 * ```
 * @param opts see {@link WeightStandardizationOptions}
 */
export class WeightStandardization {
  readonly eps: number;

  constructor(opts: WeightStandardizationOptions = {}) {
    if (opts === null || typeof opts !== 'object') throw new Error(`WeightStandardization: opts must be an object, got ${show(opts)}`);
    this.eps = opts.eps ?? 1e-6;
    checkPositive('WeightStandardization', 'eps', this.eps);
  }

  /** The standardised kernel. @param kernel `[h, w, in, out]` or `[in, out]` */
  apply(kernel: tf.Tensor): tf.Tensor {
    return standardize('WeightStandardization.apply', kernel, this.eps);
  }

  /**
   * `tf.conv2d(x, standardised kernel, strides, pad, 'NHWC', dilations)`.
   * @param x NHWC input @param kernel `[h, w, in, out]` @param strides as tf.conv2d
   * @param pad as tf.conv2d @param dilations as tf.conv2d (default 1)
   */
  conv2d(
    x: tf.Tensor4D,
    kernel: tf.Tensor4D,
    strides: number | [number, number],
    pad: 'valid' | 'same',
    dilations: number | [number, number] = 1,
  ): tf.Tensor4D {
    const fn = 'WeightStandardization.conv2d';
    if (!(kernel instanceof tf.Tensor) || kernel.isDisposed || kernel.rank !== 4) {
      throw new Error(`${fn}: kernel must be a 4-D [h, w, in, out] tensor, got ${show(kernel)}`);
    }
    if (!(x instanceof tf.Tensor) || x.isDisposed || x.rank !== 4 || x.shape[3] !== kernel.shape[2]) {
      throw new Error(`${fn}: x must be a 4-D NHWC tensor with ${kernel.shape[2]} channels (the kernel's in), got ${show(x)}`);
    }
    const pairOk = (v: unknown): boolean => {
      const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;
      return ok(v) || (Array.isArray(v) && v.length === 2 && v.every(ok));
    };
    if (!pairOk(strides)) throw new Error(`${fn}: strides must be an integer >= 1 or a pair of them, got ${show(strides)}`);
    if (!pairOk(dilations)) throw new Error(`${fn}: dilations must be an integer >= 1 or a pair of them, got ${show(dilations)}`);
    if (pad !== 'valid' && pad !== 'same') throw new Error(`${fn}: pad must be 'valid' or 'same', got ${show(pad)}`);
    return tf.tidy(() => tf.conv2d(x, standardize(fn, kernel, this.eps) as tf.Tensor4D, strides, pad, 'NHWC', dilations));
  }
}
