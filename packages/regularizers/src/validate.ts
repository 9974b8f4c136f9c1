// Argument checks shared by the package (internal). Every check runs before any tensor is made
// and throws a message naming the function, the argument and the bad value.
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

/**
 * Largest float32. A threshold above it is Infinity on device, where Infinity / Infinity (an
 * overflowed norm) is NaN: norm thresholds are clamped to it on the host.
 */
export const F32_MAX = 3.4028234663852886e38;

/** Throws unless `v` is a finite number >= 0. */
export function checkNonNegative(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`${fn}: ${arg} must be a finite number >= 0, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number in [0, F32_MAX]: a factor multiplied in on device. */
export function checkFactor(fn: string, arg: string, v: unknown): number {
  const x = checkNonNegative(fn, arg, v);
  // beyond float32's range the factor is Infinity on device (and Infinity · 0 is NaN)
  if (x > F32_MAX) throw new Error(`${fn}: ${arg} must be within float32 range [0, ${F32_MAX}], got ${show(v)}`);
  return x;
}

/** Throws unless `v` is a finite number > 0. */
export function checkPositive(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${fn}: ${arg} must be a finite number > 0, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is an integer >= `min`. */
export function checkInteger(fn: string, arg: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${fn}: ${arg} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is an integer in [min, max]. */
export function checkIntegerIn(fn: string, arg: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${fn}: ${arg} must be an integer in [${min}, ${max}], got ${show(v)}`);
  }
  return v;
}

/** Throws unless `opts` is undefined or a plain object whose keys are all in `allowed`. */
export function checkOptions(fn: string, arg: string, opts: unknown, allowed: string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${fn}: ${arg} must be an object, got ${show(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new Error(`${fn}: unknown option '${k}' in ${arg}; expected one of ${allowed.join(', ')}`);
    }
  }
}
