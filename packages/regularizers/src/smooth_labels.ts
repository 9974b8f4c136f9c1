import * as tf from '@tensorflow/tfjs-core';
import {checkOptions, show} from './validate';

/** Options of {@link smoothLabels}. */
export interface SmoothLabelsOptions {
  /** ε in [0, 1]: the share of probability spread uniformly over all classes (0.1 is common) */
  smoothing: number;
  /** C; required for class-index targets, optional (must match the last axis) for one-hot targets */
  numClasses?: number;
}

/**
 * Label smoothing: t ← (1 − ε) · t + ε / C, so the true class gets 1 − ε + ε/C and every other
 * class ε/C (ε/C goes to **every** class, the true one included, not ε/(C−1) to the others).
 *
 * Same target as PyTorch `F.cross_entropy(label_smoothing=ε)` (https://pytorch.org/docs/1.13/generated/torch.nn.functional.cross_entropy.html),
 * Keras `CategoricalCrossentropy(label_smoothing=ε)` and Optax `smooth_labels`.
 * Reference: Szegedy et al. 2016, "Rethinking the Inception Architecture", https://arxiv.org/abs/1512.00567
 *
 * ```ts
 * const t = smoothLabels(tf.tensor1d([2, 0], 'int32'), {smoothing: 0.1, numClasses: 3});
 * // [[0.0333, 0.0333, 0.9333], [0.9333, 0.0333, 0.0333]]
 * ```
 * @param targets one-hot (or any probability) targets `[..., C]` (float), or class indices `[...]` (int32;
 *   an index outside [0, C) gives a row of NaN, on device, as no distribution fits it)
 * @param opts `smoothing`, `numClasses`
 * @returns float32 smoothed targets `[..., C]` (a new tensor; the caller disposes it)
 */
export function smoothLabels(targets: tf.Tensor, opts: SmoothLabelsOptions): tf.Tensor {
  const fn = 'smoothLabels';
  if (!(targets instanceof tf.Tensor) || targets.isDisposed) {
    throw new Error(`${fn}: targets must be a live tf.Tensor, got ${show(targets)}`);
  }
  checkOptions(fn, 'opts', opts, ['smoothing', 'numClasses']);
  const eps = opts?.smoothing;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) {
    throw new Error(`${fn}: smoothing must be a number in [0, 1], got ${show(eps)}`);
  }
  const c = opts.numClasses;
  if (c !== undefined && (typeof c !== 'number' || !Number.isInteger(c) || c < 1)) {
    throw new Error(`${fn}: numClasses must be an integer >= 1, got ${show(c)}`);
  }
  const indices = targets.dtype === 'int32';
  if (indices && c === undefined) {
    throw new Error(`${fn}: numClasses must be given for class-index (int32) targets of shape [${targets.shape}], got undefined`);
  }
  if (!indices && targets.rank < 1) throw new Error(`${fn}: one-hot targets must have rank >= 1, got a scalar`);
  if (!indices && c !== undefined && targets.shape[targets.rank - 1] !== c) {
    throw new Error(`${fn}: numClasses (${c}) must equal the last axis of the one-hot targets, got shape [${targets.shape}]`);
  }
  const classes = c ?? targets.shape[targets.rank - 1];
  // the one-hot result has targets.size · C values: bound it before allocating
  if (indices && targets.size * classes > 2 ** 31 - 1) {
    throw new Error(`${fn}: numClasses must keep the result below 2^31 values (${targets.size} targets), got ${show(c)}`);
  }
  return tf.tidy(() => {
    // oneHot in int32, then cast: the wasm OneHot kernel writes int32 bits even when asked for
    // float32 (measured with tfjs-backend-wasm 4.22: 1 came back as 1.4e-45)
    // tf.oneHot refuses depth 1: one class is index == 0
    const hot = (): tf.Tensor => (classes === 1 ? tf.expandDims(tf.equal(targets, 0), -1) : tf.oneHot(targets, classes));
    const t = tf.cast(indices ? hot() : targets, 'float32');
    const smoothed = tf.add(tf.mul(t, 1 - eps), eps / classes);
    if (!indices) return smoothed;
    // an index outside [0, C) one-hots to all zeros: a row of ε/C that is no distribution. Checking
    // it on the host would read the labels back every step; the row becomes NaN instead (the loss,
    // and the Trainer's guard, see it)
    const bad = tf.logicalOr(tf.less(targets, 0), tf.greaterEqual(targets, classes));
    return tf.where(tf.expandDims(bad, -1), tf.fill(smoothed.shape, NaN), smoothed);
  });
}
