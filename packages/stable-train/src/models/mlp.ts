import * as tf from '@tensorflow/tfjs-core';
import {activation, dense, normFactory, seededInit, sequential, type InitSpec, type Model, type NormSpec} from './layers';
import type {Module} from '../types';

/** Options of `mlp`. */
export interface MlpOptions {
  /** Features of one input (inputs of other shapes are flattened). */
  inputs: number;
  /** Hidden layer widths, e.g. `new Array(32).fill(64)` for 32 layers. */
  hidden: number[];
  outputs: number;
  /** Default `'relu'`. */
  activation?: string;
  /** Default `'he_normal'`; the naive baseline is `{name: 'normal', std: 1}`. */
  kernelInit?: InitSpec;
  /** Normalisation before each activation. Default `'none'`. */
  norm?: NormSpec;
  seed?: number;
  name?: string;
}

/**
 * A plain multi-layer perceptron: `dense → [norm] → activation` per hidden layer, then a linear
 * head (logits). With `{name: 'normal', std: 1}` init and depth it explodes; with He init and
 * norm it trains (the demo shows both).
 *
 * ```ts
 * const model = mlp({inputs: 784, hidden: [128, 128], outputs: 10});
 * ```
 * @param o see `MlpOptions`
 */
export function mlp(o: MlpOptions): Model {
  if (!Array.isArray(o?.hidden) || o.hidden.length === 0) throw new Error(`mlp: hidden must be a non-empty array of widths, got ${JSON.stringify(o?.hidden)}`);
  const name = o.name ?? 'mlp';
  const init = seededInit(o.kernelInit ?? 'he_normal', o.seed ?? 0);
  const act = activation(o.activation ?? 'relu');
  const norms: Module[] = [];
  const norm = normFactory(o.norm, norms);
  const parts: Parameters<typeof sequential>[2] = [(x) => tf.reshape(x, [x.shape[0], -1])];
  let width = o.inputs;
  o.hidden.forEach((h, i) => {
    parts.push(dense({inUnits: width, units: h, name: `${name}/dense${i}`, kernelInit: init, useBias: !norm}));
    if (norm) parts.push(norm(h, `${name}/norm${i}`));
    parts.push((x) => act(x));
    width = h;
  });
  parts.push(dense({inUnits: width, units: o.outputs, name: `${name}/head`, kernelInit: init}));
  return sequential(name, [o.inputs], parts, norms);
}
