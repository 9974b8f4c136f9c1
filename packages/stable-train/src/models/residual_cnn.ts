import * as tf from '@tensorflow/tfjs-core';
import {residualCnn as residualStages} from '@stable-train/resnet-blocks';
import type {Gate, StageOptions} from '@stable-train/resnet-blocks';
import {dense, newVariable, normFactory, seededInit, sequential, type InitSpec, type Model, type NormSpec} from './layers';
import type {Module} from '../types';

/** Options of `residualCnn`. */
export interface ResidualCnnModelOptions {
  /** One input image, NHWC without N, e.g. `[28, 28, 1]`. */
  inputShape: [number, number, number];
  /** Stem channels. */
  stem: number;
  stages: StageOptions[];
  outputs: number;
  /** Default `'batch'`. */
  norm?: NormSpec;
  gate?: Gate;
  /** Last block's stochastic depth rate (linear from 0 over the blocks, timm); default 0. */
  dropPath?: number;
  /** LayerScale initial γ on every branch (CaiT); default none. */
  layerScale?: number;
  /** Squeeze-excitation reduction ratio on every branch; default none. */
  squeezeExcite?: number;
  /** Pre-activation blocks (default true) or post-activation (false). */
  preAct?: boolean;
  kernelInit?: InitSpec;
  seed?: number;
  name?: string;
}

/**
 * A small ResNet: 3×3 conv stem, residual stages from @stable-train/resnet-blocks, global average
 * pooling and a linear head. Needs the WASM training kernels of `setupBackend` to train on wasm.
 *
 * ```ts
 * const model = residualCnn({inputShape: [28, 28, 1], stem: 16, stages: [{filters: 16, blocks: 2}], outputs: 10});
 * ```
 * @param o see `ResidualCnnModelOptions`
 */
export function residualCnn(o: ResidualCnnModelOptions): Model {
  const name = o?.name ?? 'rescnn';
  if (!Array.isArray(o.inputShape) || o.inputShape.length !== 3) throw new Error(`residualCnn: inputShape must be [h, w, c], got ${JSON.stringify(o.inputShape)}`);
  const init = seededInit(o.kernelInit ?? 'he_normal', o.seed ?? 0);
  const stemK = newVariable(() => init([3, 3, o.inputShape[2], o.stem]), `${name}/stem/kernel`);
  const stem = {variables: [stemK], apply: (x: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, stemK as tf.Tensor4D, 1, 'same'), dispose: () => stemK.dispose()};
  const norms: Module[] = [];
  const body = residualStages({name: `${name}/body`, stages: o.stages, inChannels: o.stem, norm: normFactory(o.norm ?? 'batch', norms), gate: o.gate, kernelInit: init,
    dropPath: o.dropPath, layerScale: o.layerScale, squeezeExcite: o.squeezeExcite, preAct: o.preAct});
  const last = o.stages[o.stages.length - 1].filters;
  return sequential(name, [...o.inputShape], [
    stem,
    body,
    (x) => tf.mean(tf.relu(x), [1, 2]),
    dense({inUnits: last, units: o.outputs, name: `${name}/head`, kernelInit: init}),
  ], norms);
}
