// Argument checks shared by the block constructors; all run before any tensor is made.
import * as tf from '@tensorflow/tfjs-core';
import type {BlockOptions, Gate} from './types';

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

/** Checks `opts` is an object with a usable `name`; returns `fn(name)` for later messages. */
export function checkOptions(fn: string, opts: unknown): string {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${fn}: options must be an object, got ${show(opts)}`);
  }
  const name = (opts as {name?: unknown}).name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`${fn}: name must be a non-empty string, got ${show(name)}`);
  }
  return `${fn}(${name})`;
}

export function checkInt(where: string, arg: string, v: unknown, min = 1, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${where}: ${arg} must be an integer ${max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`}, got ${show(v)}`);
  }
  return v;
}

/** Most blocks a builder makes (ResNet-1001 has 333): a typo like 1e9 is an error, not a hang. */
export const MAX_BLOCKS = 10_000;

/** Largest float32: an initial value beyond it is Infinity once on device. */
export const F32_MAX = 3.4028234663852886e38;

/** Most values one weight may have (tfjs sizes are int32): larger is an error, not an allocation failure. */
export const MAX_SIZE = 2 ** 31 - 1;

/** Throws unless the tensor of `shape` has at most {@link MAX_SIZE} values. */
export function checkSize(fn: string, shape: number[], arg = 'shape'): void {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size > MAX_SIZE) throw new Error(`${fn}: ${arg} must have at most ${MAX_SIZE} values, got ${show(shape)} (${size})`);
}

/** The gate's initial alpha, or null for `'none'`. */
export function resolveGate(where: string, gate: Gate | undefined): number | null {
  if (gate === undefined || gate === 'none') return null;
  if (gate === 'rezero' || gate === 'skipinit') return 0;
  if (gate !== null && typeof gate === 'object' && typeof gate.init === 'number' && Math.abs(gate.init) <= F32_MAX) {
    return gate.init;
  }
  throw new Error(`${where}: gate must be 'none', 'rezero', 'skipinit' or {init: <finite number>}, got ${show(gate)}`);
}

/** Validates the options every block shares (norm, init, fixup, gate combination). */
export function checkCommon(where: string, opts: BlockOptions): {alpha0: number | null; fixupL: number | null} {
  for (const k of ['norm', 'kernelInit', 'biasInit'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'function') {
      throw new Error(`${where}: ${k} must be a function, got ${show(opts[k])}`);
    }
  }
  if (opts.useBias !== undefined && typeof opts.useBias !== 'boolean') {
    throw new Error(`${where}: useBias must be a boolean, got ${show(opts.useBias)}`);
  }
  for (const k of ['preAct'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'boolean') throw new Error(`${where}: ${k} must be a boolean, got ${show(opts[k])}`);
  }
  if (opts.dropPath !== undefined && (typeof opts.dropPath !== 'number' || !(opts.dropPath >= 0 && opts.dropPath <= 1))) {
    throw new Error(`${where}: dropPath must be a number in [0, 1], got ${show(opts.dropPath)}`);
  }
  if (opts.layerScale !== undefined && (typeof opts.layerScale !== 'number' || !(Math.abs(opts.layerScale) <= F32_MAX))) {
    throw new Error(`${where}: layerScale must be a finite float32 number (the initial γ), got ${show(opts.layerScale)}`);
  }
  if (opts.squeezeExcite !== undefined && (typeof opts.squeezeExcite !== 'number' || !Number.isFinite(opts.squeezeExcite) || opts.squeezeExcite < 1)) {
    throw new Error(`${where}: squeezeExcite must be a finite number >= 1 (the reduction ratio), got ${show(opts.squeezeExcite)}`);
  }
  const alpha0 = resolveGate(where, opts.gate);
  let fixupL: number | null = null;
  if (opts.fixup !== undefined) {
    if (opts.fixup === null || typeof opts.fixup !== 'object') {
      throw new Error(`${where}: fixup must be {numBlocks: <integer >= 1>}, got ${show(opts.fixup)}`);
    }
    fixupL = checkInt(where, 'fixup.numBlocks', opts.fixup.numBlocks);
    if (opts.norm !== undefined) {
      throw new Error(`${where}: norm must be left out with fixup (fixup replaces normalisation), got ${show(opts.norm)}`);
    }
    if (alpha0 !== null) {
      throw new Error(`${where}: gate must be 'none' with fixup (fixup has its own scalar multiplier), got ${show(opts.gate)}`);
    }
    if (opts.preAct === false) {
      throw new Error(`${where}: preAct must be true with fixup (implemented for pre-activation blocks only), got false`);
    }
  }
  return {alpha0, fixupL};
}

/** Fails if a variable of that name is already registered (tfjs variable names are global). */
export function checkFreeNames(where: string, names: string[]): void {
  const registered = tf.engine().registeredVariables;
  for (const n of names) {
    if (registered[n] !== undefined) {
      throw new Error(`${where}: name must not be in use, got one whose variable '${n}' already exists (dispose the old block or choose another name)`);
    }
  }
}

/** Fails if any registered variable already lives under `prefix/` (for the builders). */
export function checkFreePrefix(where: string, prefix: string): void {
  const taken = Object.keys(tf.engine().registeredVariables).find((n) => n.startsWith(`${prefix}/`));
  if (taken !== undefined) {
    throw new Error(`${where}: name must not be in use, got one whose variable '${taken}' already exists (dispose the old model or choose another name)`);
  }
}
