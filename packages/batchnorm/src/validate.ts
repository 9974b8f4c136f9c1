// Argument checks shared by the normalisation ops and modules (internal, not exported).
// They only read static shapes, so they run before any tensor is made and never sync.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Renders a bad value for an error message's `got …`: numbers as written (`NaN`, `-Infinity`),
 * strings quoted, arrays short (`[3, 0]`, at most 8 items), tensors by dtype and shape
 * (`a tensor of dtype int32, shape [2,3]`), functions and other objects by type (`an object {a, b}`).
 */
export function show(v: unknown, depth = 0): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v === undefined || v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return 'a function';
  if (v instanceof tf.Tensor) {
    return `a tensor of dtype ${v.dtype}, shape [${v.shape}]${v.isDisposed ? ' (disposed)' : ''}`;
  }
  if (Array.isArray(v)) {
    if (depth > 1) return `[${v.length} items]`;
    const items = v.slice(0, 8).map((x) => show(x, depth + 1));
    return `[${items.join(', ')}${v.length > 8 ? `, ... (${v.length} items)` : ''}]`;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(v as object);
    return `an object {${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', ...' : ''}}`;
  }
  const name = (proto?.constructor as {name?: string} | undefined)?.name;
  return name ? `a ${name}` : Object.prototype.toString.call(v);
}

/** Throws unless `v` is a finite number > 0. */
export function checkPositive(fn: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${fn}: ${arg} must be a finite number > 0, got ${show(v)}`);
  }
  // an eps of 1e-50 is 0 in float32 (and 1e39 is Infinity): 1/sqrt(0 + eps) would be Infinity
  const f = Math.fround(v);
  if (!(f > 0 && Number.isFinite(f))) {
    throw new Error(`${fn}: ${arg} must be within float32 range [1.4e-45, 3.4e38], got ${show(v)}`);
  }
}

/** Throws unless `v` is a number in [0, 1]. */
export function checkUnit(fn: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new Error(`${fn}: ${arg} must be a number in [0, 1], got ${show(v)}`);
  }
}

/** Most channels a layer may have: its per-channel variables are made at once (2^24 = 16M). */
export const MAX_CHANNELS = 2 ** 24;

/** Throws unless `v` is an integer > 0 (and <= `max`). */
export function checkPositiveInt(fn: string, arg: string, v: unknown, max = Infinity): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
    throw new Error(`${fn}: ${arg} must be an integer ${max === Infinity ? '> 0' : `in [1, ${max}]`}, got ${show(v)}`);
  }
}

/** Throws unless `t` is a tf.Tensor (not disposed) of rank >= `minRank`; returns its last dimension. */
export function checkInput(fn: string, arg: string, t: unknown, minRank: number): number {
  if (!(t instanceof tf.Tensor)) {
    throw new Error(`${fn}: ${arg} must be a tf.Tensor, got ${show(t)}`);
  }
  if (t.isDisposed) throw new Error(`${fn}: ${arg} must be a live tensor, got ${show(t)}`);
  if (t.rank < minRank) {
    throw new Error(`${fn}: ${arg} must have rank >= ${minRank} (channels last), got shape [${t.shape}]`);
  }
  return t.shape[t.rank - 1];
}

/** Throws unless `t` is a 1-D tensor of length `channels` (a per-channel parameter or statistic). */
export function checkChannelVector(fn: string, arg: string, t: unknown, channels: number): void {
  if (!(t instanceof tf.Tensor)) {
    throw new Error(`${fn}: ${arg} must be a tf.Tensor, got ${show(t)}`);
  }
  if (t.isDisposed) throw new Error(`${fn}: ${arg} must be a live tensor, got ${show(t)}`);
  if (t.rank !== 1 || t.shape[0] !== channels) {
    throw new Error(`${fn}: ${arg} must have shape [${channels}] (the last axis of x), got [${t.shape}]`);
  }
}

/** Number of values each channel's batch statistics are computed over (all axes but the last). */
export function valuesPerChannel(x: tf.Tensor): number {
  return x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/**
 * PyTorch's training-mode check: a channel needs more than one value for a batch variance.
 * `noRunningStats`: the layer normalises with batch statistics in inference too (PyTorch
 * `track_running_stats=False`), so inference mode is no way out; the message says so.
 */
export function checkMoreThanOne(fn: string, x: tf.Tensor, noRunningStats = false): void {
  if (valuesPerChannel(x) <= 1) {
    const hint = noRunningStats
      ? ' (trackRunningStats is false, so inference uses batch statistics too; use a larger batch, or LayerNorm / GroupNorm for batch size 1)'
      : ' (use a larger batch, or inference mode / LayerNorm / GroupNorm for batch size 1)';
    throw new Error(
      `${fn}: Expected more than 1 value per channel when training, got input of shape [${x.shape}]${hint}`,
    );
  }
}

/** Throws unless `v` is undefined (the default applies) or a boolean. */
export function checkOptionalBool(fn: string, arg: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') {
    throw new Error(`${fn}: ${arg} must be true or false, got ${show(v)}`);
  }
}

/** The axes [0, ..., rank-2]: every axis but the channel axis. */
export function batchAxes(rank: number): number[] {
  return Array.from({length: rank - 1}, (_, i) => i);
}
