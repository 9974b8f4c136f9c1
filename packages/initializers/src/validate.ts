// Argument checks shared by the initializers. Each throws before any tensor is made, with a
// message that names the function, the argument and the bad value.
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

/** Largest float32: a value beyond it is Infinity once drawn into a float32 tensor. */
export const F32_MAX = 3.4028234663852886e38;

/** Most elements one initialised tensor may have (tfjs sizes are int32). */
const MAX_SIZE = 2 ** 31 - 1;

/** A shape: an array of positive integers (a zero-sized weight cannot be initialised). */
export function checkShape(fn: string, shape: unknown, minRank = 0): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${fn}: shape must be an array of positive integers, got ${show(shape)}`);
  }
  // tfjs sizes are int32 (and typed arrays are bounded): a larger weight is an error here, not an
  // obscure 'Invalid typed array length' from inside the draw
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (size > MAX_SIZE) {
    throw new Error(`${fn}: shape must have at most ${MAX_SIZE} elements, got ${show(shape)} (${size} elements)`);
  }
  if (shape.length < minRank) {
    throw new Error(`${fn}: shape must have rank >= ${minRank}, got ${show(shape)} (rank ${shape.length})`);
  }
  return shape as number[];
}

/** A finite number, optionally > 0 or >= 0. */
export function checkNumber(fn: string, name: string, v: unknown, rule: 'finite' | '> 0' | '>= 0' = 'finite'): number {
  const ok =
    typeof v === 'number' && Number.isFinite(v) && (rule === 'finite' || (rule === '> 0' ? v > 0 : v >= 0));
  if (!ok) {
    const what = rule === 'finite' ? 'a finite number' : `a finite number ${rule}`;
    throw new Error(`${fn}: ${name} must be ${what}, got ${show(v)}`);
  }
  return v as number;
}

/** An integer >= min. */
export function checkInt(fn: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${fn}: ${name} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(fn: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`${fn}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** An options argument: undefined or a plain object. */
export function checkOptions<T extends object>(fn: string, opts: unknown): Partial<T> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${fn}: options must be an object, got ${show(opts)}`);
  }
  return opts as Partial<T>;
}
