import type * as tf from '@tensorflow/tfjs-core';

/** A value an adapter's options may hold (what survives a JSON round trip). */
export type OptionValue = number | string | boolean | number[];

/** Formats a bad value for an error message. @internal */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Checks an options argument (undefined or a plain object whose keys are all in `keys`) and returns
 * a copy without the undefined entries, so it can be stored and serialized as is. @internal
 */
export function checkArgs(fn: string, args: unknown, keys: readonly string[]): Record<string, OptionValue> {
  if (args === undefined || args === null) return {};
  if (typeof args !== 'object' || Array.isArray(args)) throw new Error(`${fn}: options must be an object, got ${show(args)}`);
  const out: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) {
    if (!keys.includes(k)) {
      throw new Error(`${fn}: unknown option ${show(k)}; expected ${keys.length ? keys.map((x) => `'${x}'`).join(', ') : 'none'}`);
    }
    if (v !== undefined) out[k] = v as OptionValue;
  }
  return out;
}

/** `fanOut` → `fan_out`, `leakyRelu` → `leaky_relu`, `convTranspose2d` → `conv_transpose2d`. */
function toSnake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * tfjs-layers writes configs in Python style and, when loading a model, camelCases every string
 * VALUE as well as every key (`'fan_out'` comes back as `'fanOut'`). Our options are snake_case
 * strings (PyTorch's spellings), so the loaders turn string values back. @internal
 */
export function fromPythonic(config: tf.serialization.ConfigDict): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'customObjects') continue; // tfjs-layers' deserializer adds it to every nested config
    out[k] = (typeof v === 'string' ? toSnake(v) : v) as OptionValue;
  }
  return out;
}
