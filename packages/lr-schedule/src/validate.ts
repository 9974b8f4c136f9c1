// Argument checks shared by the schedules and optimizers (internal, not exported from index).
// Each throws `fn: name must be <rule>, got <value>` before any tensor is made.
import * as tf from '@tensorflow/tfjs-core';
import type {Schedule} from './schedule';

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

function fail(fn: string, name: string, rule: string, v: unknown): never {
  throw new Error(`${fn}: ${name} must be ${rule}, got ${show(v)}`);
}

/** Largest float32: an lr beyond it is Infinity on device. */
export const F32_MAX = 3.4028234663852886e38;

/** A finite number (any sign). */
export function finite(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(fn, name, 'a finite number', v);
  return v as number;
}

/** A finite number >= 0. */
export function nonNegative(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(fn, name, 'a finite number >= 0', v);
  return v as number;
}

/** A finite number > 0. */
export function positive(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(fn, name, 'a finite number > 0', v);
  return v as number;
}

/** An integer >= min. */
export function integer(fn: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(fn, name, `an integer >= ${min}`, v);
  return v as number;
}

/** Whether `v` is a finite number in [lo, hi] (or [lo, hi) when `openHigh`). */
export function isInRange(v: unknown, lo: number, hi: number, openHigh = false): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= lo && (openHigh ? v < hi : v <= hi);
}

/** `[lo, hi]` or `[lo, hi)`, for messages. */
export function rangeText(lo: number, hi: number, openHigh = false): string {
  return `[${lo}, ${hi}${openHigh ? ')' : ']'}`;
}

/** A finite number in [lo, hi] (or [lo, hi) when `openHigh`). */
export function inRange(fn: string, name: string, v: unknown, lo: number, hi: number, openHigh = false): number {
  if (!isInRange(v, lo, hi, openHigh)) fail(fn, name, `a number in ${rangeText(lo, hi, openHigh)}`, v);
  return v as number;
}

/** A schedule (any function, checked when evaluated) or a number in [lo, hi] (or [lo, hi)). */
export function inRangeOrSchedule(fn: string, name: string, v: unknown, lo: number, hi: number, openHigh = false): number | Schedule {
  if (typeof v === 'function') return v as Schedule;
  if (!isInRange(v, lo, hi, openHigh)) fail(fn, name, `a number in ${rangeText(lo, hi, openHigh)} or a schedule function`, v);
  return v as number;
}

/** One of the listed strings. */
export function oneOf<T extends string>(fn: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(fn, name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  }
  return v as T;
}

/** The options object itself. */
export function options<T>(fn: string, v: T): T {
  if (v == null || typeof v !== 'object' || Array.isArray(v)) fail(fn, 'options', 'an object', v);
  return v;
}

/** The step passed to a schedule: a finite number >= 0 (fractional steps are allowed). */
export function checkStep(fn: string, step: unknown): number {
  if (typeof step !== 'number' || !Number.isFinite(step) || step < 0) fail(fn, 'step', 'a finite number >= 0', step);
  return step as number;
}

/** The options object, with no key outside `allowed` (catches typos such as `beta_1`). */
export function knownOptions<T>(fn: string, v: T, allowed: readonly string[]): T {
  options(fn, v);
  for (const k of Object.keys(v as object)) {
    if (!allowed.includes(k)) {
      throw new Error(`${fn}: unknown option '${k}'; expected one of ${allowed.join(', ')}`);
    }
  }
  return v;
}

/** A boolean. */
export function bool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(fn, name, 'true or false', v);
  return v as boolean;
}
