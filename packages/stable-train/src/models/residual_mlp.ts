import * as tf from '@tensorflow/tfjs-core';
import {residualMlp as residualStack} from '@stable-train/resnet-blocks';
import type {Gate} from '@stable-train/resnet-blocks';
import {dense, normFactory, seededInit, sequential, type InitSpec, type Model, type NormSpec} from './layers';
import type {Module} from '../types';

/** Options of `residualMlp`. */
export interface ResidualMlpModelOptions {
  inputs: number;
  /** Width of the residual stream. */
  width: number;
  /** Number of residual blocks (2 dense layers each). */
  depth: number;
  outputs: number;
  /** Default `'layer'`. */
  norm?: NormSpec;
  /** Default `'rezero'` (branch starts at 0: the stack is the identity at init). */
  gate?: Gate;
  /** Last block's stochastic depth rate (linear from 0 over the blocks, timm); default 0. */
  dropPath?: number;
  /** LayerScale initial γ on every branch (CaiT); default none. */
  layerScale?: number;
  activation?: string;
  kernelInit?: InitSpec;
  seed?: number;
  name?: string;
}

/**
 * A residual MLP: a stem `dense(inputs → width)`, `depth` pre-activation residual blocks from
 * @stable-train/resnet-blocks (`x + g·F(x)`), then a linear head. Trains stably at any depth.
 *
 * ```ts
 * const model = residualMlp({inputs: 784, width: 64, depth: 16, outputs: 10});
 * ```
 * @param o see `ResidualMlpModelOptions`
 */
export function residualMlp(o: ResidualMlpModelOptions): Model {
  const name = o?.name ?? 'resmlp';
  const init = seededInit(o.kernelInit ?? 'he_normal', o.seed ?? 0);
  const norms: Module[] = [];
  const blocks = residualStack({
    name: `${name}/blocks`, depth: o.depth, width: o.width, norm: normFactory(o.norm ?? 'layer', norms),
    gate: o.gate ?? 'rezero', activation: (o.activation ?? 'relu') as never, kernelInit: init,
    dropPath: o.dropPath, layerScale: o.layerScale,
  });
  return sequential(name, [o.inputs], [
    (x) => tf.reshape(x, [x.shape[0], -1]),
    dense({inUnits: o.inputs, units: o.width, name: `${name}/stem`, kernelInit: init}),
    blocks,
    (x) => tf.relu(x),
    dense({inUnits: o.width, units: o.outputs, name: `${name}/head`, kernelInit: init}),
  ], norms);
}
