// Argument checks shared by the package (internal, not exported from index.ts).
// Every check runs before any tensor is made and names the function, the argument and the value.
import * as tf from '@tensorflow/tfjs-core';
import type {NormType, PNormType} from './types';

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
 * overflowed norm) is NaN: thresholds are clamped to it on the host.
 */
export const F32_MAX = 3.4028234663852886e38;

/** `value` must be a finite number > 0 (or >= 0 with `allowZero`). */
export function checkPositive(fn: string, arg: string, value: unknown, allowZero = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) throw new Error(`${fn}: ${arg} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${show(value)}`);
  return value as number;
}

/** `value` must be 1, 2, 'inf' (or Infinity, read as 'inf'). */
export function checkNormType(fn: string, value: unknown): NormType {
  if (value === 1 || value === 2 || value === 'inf') return value;
  if (value === Infinity) return 'inf';
  throw new Error(`${fn}: normType must be 1, 2 or 'inf', got ${show(value)}`);
}

/** `value` must be a plain object mapping names to tensors (as `tf.variableGrads` returns). */
export function checkTensorMap(fn: string, arg: string, value: unknown): tf.NamedTensorMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    throw new Error(`${fn}: ${arg} must be an object of tensors by name, got ${show(value)}`);
  }
  for (const [name, t] of Object.entries(value as object)) {
    if (!(t instanceof tf.Tensor)) {
      throw new Error(`${fn}: ${arg}['${name}'] must be a Tensor, got ${show(t)}`);
    }
    if (t.isDisposed) throw new Error(`${fn}: ${arg}['${name}'] must be a live tensor, got ${show(t)}`);
    // an int32 gradient would be scaled by a coefficient cast to int32 (0): silently wrong
    if (t.dtype !== 'float32') throw new Error(`${fn}: ${arg}['${name}'] must be float32, got dtype ${t.dtype}`);
  }
  return value as tf.NamedTensorMap;
}

/** `value` must be a boolean (undefined allowed when optional). */
export function checkBoolean(fn: string, arg: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${fn}: ${arg} must be a boolean, got ${show(value)}`);
  return value;
}

/** Options must be an object (or undefined). */
export function checkOptions<T extends object>(fn: string, value: unknown): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${fn}: options must be an object, got ${show(value)}`);
  }
  return value as T;
}

/** `value` must be a finite number >= 1 or 'inf' (Infinity is read as 'inf'). */
export function checkPNormType(fn: string, value: unknown): PNormType {
  if (value === 'inf' || value === Infinity) return 'inf';
  if (typeof value === 'number' && Number.isFinite(value) && value >= 1) return value;
  throw new Error(`${fn}: normType must be a finite number >= 1 or 'inf', got ${show(value)}`);
}
