import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Logs as tfjs-layers hands them to a `Callback`: numbers, or scalar tensors it disposes later. */
export type RawLogs = {[key: string]: number | tf.Scalar} | undefined;

/**
 * Reads every scalar tensor of `logs` back as a number, in place (as tfjs-layers'
 * `resolveScalarsInLogs` does for its own callbacks: the tensors are disposed, later callbacks
 * and `History` see the numbers). Internal.
 */
export async function resolveLogs(logs: RawLogs): Promise<Record<string, number>> {
  if (logs == null) return {};
  const keys = Object.keys(logs).filter((k) => typeof logs[k] !== 'number');
  const values = await Promise.all(keys.map((k) => (logs[k] as tf.Scalar).data()));
  const tensors = keys.map((k) => logs[k] as tf.Scalar);
  keys.forEach((k, i) => (logs[k] = values[i][0]));
  tf.dispose(tensors);
  return logs as Record<string, number>;
}

/**
 * `logs[monitor]`, or undefined with Keras's warning naming the available keys
 * (`<what> conditioned on metric \`val_loss\` which is not available. Available metrics are: loss`).
 */
export function monitorValue(logs: Record<string, number>, monitor: string, what: string): number | undefined {
  const v = logs[monitor];
  if (v === undefined) {
    console.warn(`${what} conditioned on metric \`${monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}`);
  }
  return v;
}

/** The fitted model of a callback, checked. Internal. */
export function fitModel(cb: tfl.Callback, fn: string): tfl.LayersModel {
  const m = cb.model as unknown;
  if (!(m instanceof tfl.LayersModel)) throw new Error(`${fn}: no model set; pass the callback to model.fit({callbacks: [...]})`);
  return m;
}

/** Keras's `mode: 'auto'`: max for accuracy-like metrics (name contains acc or starts with fmeasure), else min. */
export function resolveMode(fn: string, mode: unknown, monitor: string): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${fn}: mode must be 'auto', 'min' or 'max', got ${String(mode)}`);
  if (mode !== 'auto') return mode;
  return /acc|auc|precision|recall|fmeasure/.test(monitor) ? 'max' : 'min';
}

/** Checks an options object. Internal. */
export function checkOptions(fn: string, opts: unknown, keys: readonly string[]): void {
  if (opts == null || typeof opts !== 'object' || Array.isArray(opts)) throw new Error(`${fn}: options must be an object, got ${String(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!keys.includes(k)) throw new Error(`${fn}: unknown option '${k}' (known: ${keys.join(', ')})`);
  }
}

/** A number option in a range. Internal. */
export function numberIn(fn: string, name: string, v: unknown, lo: number, hi: number, opts: {int?: boolean; openLo?: boolean; openHi?: boolean} = {}): number {
  const ok = typeof v === 'number' && !Number.isNaN(v) && (opts.openLo ? v > lo : v >= lo) && (opts.openHi ? v < hi : v <= hi) && (!opts.int || Number.isInteger(v));
  if (!ok) {
    const range = `${opts.openLo ? '(' : '['}${lo}, ${hi}${opts.openHi ? ')' : ']'}`;
    throw new Error(`${fn}: ${name} must be ${opts.int ? 'an integer' : 'a number'} in ${range}, got ${String(v)}`);
  }
  return v as number;
}
