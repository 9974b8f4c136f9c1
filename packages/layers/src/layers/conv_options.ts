// Internal: option checks and the output-size rule shared by the conv layers of this folder.
import {show} from './checks';
import {ACTIVATION_NAMES} from '@stable-train/resnet-blocks';
import type {ActivationName} from '@stable-train/resnet-blocks';

/** `v` (a number or a pair) or `fallback` as a pair of integers >= 1. */
export function pair(where: string, arg: string, v: unknown, fallback: number | undefined): [number, number] {
  const x = v ?? fallback;
  const p = typeof x === 'number' ? [x, x] : x;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${where}: ${arg} must be an integer >= 1 or a pair of them, got ${show(v)}`);
  }
  return [p[0], p[1]];
}

/**
 * An activation name the technique package knows (`resolveActivation`); functions are refused
 * because a saved model could not name them.
 */
export function checkActivation(where: string, v: unknown, fallback: ActivationName): ActivationName {
  const x = v ?? fallback;
  if (typeof x !== 'string' || !(ACTIVATION_NAMES as string[]).includes(x)) {
    throw new Error(`${where}: activation must be one of ${ACTIVATION_NAMES.map((a) => `'${a}'`).join(', ')}, got ${typeof v === 'function' ? 'a function (not serializable)' : show(v)}`);
  }
  return x as ActivationName;
}

/** Keras's conv output length: 'same' ceil(n / s); 'valid' ceil((n - (k - 1) d) / s); null stays null. */
export function convOutputSize(n: number | null, k: number, s: number, d: number, padding: 'valid' | 'same'): number | null {
  if (n == null) return null;
  return padding === 'same' ? Math.ceil(n / s) : Math.ceil((n - (k - 1) * d) / s);
}
