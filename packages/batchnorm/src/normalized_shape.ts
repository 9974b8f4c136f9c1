// Internal: PyTorch's `normalized_shape` for LayerNorm / RMSNorm (the last k axes of x), the
// checks of x and the elementwise-affine parameters against it. Static shapes only: no tensors,
// no syncs, so every check runs before any tensor is made.
import * as tf from '@tensorflow/tfjs-core';
import {checkChannelVector, checkInput, checkPositiveInt, MAX_CHANNELS, show} from './validate';

/**
 * PyTorch's `normalized_shape`: an integer > 0 or a non-empty array of integers > 0; returns it
 * as a fresh array (an integer d means [d], as in PyTorch).
 */
export function checkNormalizedShape(fn: string, v: unknown): number[] {
  const shape = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(
      `${fn}: normalizedShape must be an integer > 0 or a non-empty array of integers > 0, got ${show(v)}`,
    );
  }
  return [...shape];
}

/** Throws unless the last `shape.length` axes of `x` are `shape` (x's rank may be larger). */
export function checkTrailing(fn: string, arg: string, x: tf.Tensor, shape: number[]): void {
  const k = shape.length;
  if (x.rank < k || x.shape.slice(x.rank - k).join(',') !== shape.join(',')) {
    throw new Error(
      `${fn}: the last ${k} axes of ${arg} must be normalizedShape [${shape}], got shape [${x.shape}]`,
    );
  }
}

/**
 * Throws unless `t` is a tensor of shape `shape` (an elementwise-affine parameter of `x`).
 * `explicit`: the caller passed normalizedShape; otherwise `shape` is x's last axis, and a `t`
 * shaped like more of x's trailing axes gets a hint to pass normalizedShape.
 */
export function checkAffineParam(
  fn: string,
  arg: string,
  t: unknown,
  x: tf.Tensor,
  shape: number[],
  explicit: boolean,
): void {
  if (!explicit) {
    if (t instanceof tf.Tensor && !t.isDisposed && t.rank > 1 && t.rank <= x.rank) {
      const tail = x.shape.slice(x.rank - t.rank).join(',');
      if (tail === t.shape.join(',')) {
        throw new Error(
          `${fn}: ${arg} must have shape [${shape}] (the last axis of x), got [${t.shape}]; ` +
            `to normalise over the last ${t.rank} axes pass normalizedShape [${t.shape}]`,
        );
      }
    }
    checkChannelVector(fn, arg, t, shape[0]);
    return;
  }
  if (!(t instanceof tf.Tensor)) {
    throw new Error(`${fn}: ${arg} must be a tf.Tensor or null, got ${show(t)}`);
  }
  if (t.isDisposed) throw new Error(`${fn}: ${arg} must be a live tensor, got ${show(t)}`);
  if (t.shape.join(',') !== shape.join(',')) {
    throw new Error(`${fn}: ${arg} must have shape [${shape}] (normalizedShape), got [${t.shape}]`);
  }
}

/** The axes [rank - k, ..., rank - 1]: the last k axes. */
export function lastAxes(rank: number, k: number): number[] {
  return Array.from({length: k}, (_, i) => rank - k + i);
}

/**
 * The normalised shape of a LayerNorm / RMSNorm module from its options: `normalizedShape`, or
 * `[channels]`; both may be given when channels is normalizedShape's last entry.
 */
export function moduleShape(kind: string, opts: {channels?: unknown; normalizedShape?: unknown} | undefined): number[] {
  const ch = opts?.channels;
  const ns = opts?.normalizedShape;
  if (ns === undefined) {
    if (ch === undefined) throw new Error(`${kind}: channels or normalizedShape must be given, got neither`);
    checkPositiveInt(kind, 'channels', ch, MAX_CHANNELS);
    return [ch as number];
  }
  const shape = checkNormalizedShape(kind, ns);
  // gamma and beta have this shape: bound their size before they are made
  if (shape.reduce((a, b) => a * b, 1) > MAX_CHANNELS) {
    throw new Error(`${kind}: normalizedShape must have at most ${MAX_CHANNELS} elements, got ${show(ns)}`);
  }
  if (ch !== undefined && ch !== shape[shape.length - 1]) {
    throw new Error(`${kind}: channels must equal the last entry of normalizedShape [${shape}] (give one of them), got ${show(ch)}`);
  }
  return shape;
}

/**
 * Checks `x` and the optional parameters (null = none) of `layerNorm` / `rmsNorm` against
 * `normalizedShape` (undefined: x's last axis, as before the option existed) and returns the
 * axes to normalise over.
 */
export function checkNormArgs(
  fn: string,
  x: unknown,
  normalizedShape: unknown,
  params: [string, unknown][],
): number[] {
  checkInput(fn, 'x', x, 1);
  const t = x as tf.Tensor;
  const explicit = normalizedShape !== undefined;
  const shape = explicit ? checkNormalizedShape(fn, normalizedShape) : [t.shape[t.rank - 1]];
  if (explicit) checkTrailing(fn, 'x', t, shape);
  for (const [arg, p] of params) if (p != null) checkAffineParam(fn, arg, p, t, shape, explicit);
  return lastAxes(t.rank, shape.length);
}
