import * as tf from '@tensorflow/tfjs-core';
import {show} from './validate';

/** Variables by name (tfjs-core does not export its own `NamedVariableMap`). */
export type NamedVariableMap = {[name: string]: tf.Variable};

/** What the in-place updates accept: one variable, a list (keyed by `v.name`) or a map. */
export type VariableSet = tf.Variable | tf.Variable[] | NamedVariableMap;

/**
 * Normalises a {@link VariableSet} to a map by name, checking that every entry is a
 * `tf.Variable` (internal; throws naming the caller and the bad entry).
 */
export function toNamedVariables(fn: string, arg: string, vars: unknown): NamedVariableMap {
  const isVar = (v: unknown): v is tf.Variable => v instanceof tf.Variable;
  if (isVar(vars)) return {[vars.name]: vars};
  const out: NamedVariableMap = {};
  if (Array.isArray(vars)) {
    vars.forEach((v, i) => {
      if (!isVar(v)) throw new Error(`${fn}: ${arg}[${i}] must be a tf.Variable, got ${show(v)}`);
      out[v.name] = v;
    });
    return out;
  }
  if (vars === null || typeof vars !== 'object' || vars instanceof tf.Tensor) {
    throw new Error(`${fn}: ${arg} must be a tf.Variable, an array of them or a map by name, got ${show(vars)}`);
  }
  for (const [name, v] of Object.entries(vars)) {
    if (!isVar(v)) throw new Error(`${fn}: ${arg}[${show(name)}] must be a tf.Variable, got ${show(v)}`);
    out[name] = v;
  }
  return out;
}
