import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as st from '@stable-train/initializers';
import {show} from '../serializable_args';

/** What {@link lsuv} reports: the technique's per-layer result plus the layers it covered. */
export interface LayersLsuvResult extends st.LsuvResult {
  /** names of the layers whose kernels were rescaled, in the order they were processed */
  layers: string[];
}

type KernelLayer = tfl.layers.Layer & {kernel?: tfl.LayerVariable; activation?: unknown};

// Stands in for a layer's activation while LSUV measures its output: tfjs-layers maps the class
// name 'linear' to no fused activation and applies `apply` otherwise.
const LINEAR = {getClassName: () => 'linear', apply: (x: tf.Tensor) => x};

/**
 * Layer-sequential unit-variance (LSUV) initialisation of a tf.layers model on one data batch:
 * every layer with a kernel (`dense`, `conv*`), in the model's topological order, starts from
 * `orthogonal()` (unless `orthogonalInit: false`) and is rescaled W ← W / √Var(z) until
 * |Var(z) − 1| < tolerance, where z is the layer's output BEFORE its activation (bias included),
 * computed from the batch through the model as it is at that moment (inference mode, so dropout is
 * off and norm layers use their moving statistics). The loop is `@stable-train/initializers`'
 * `lsuv`; this adapter only supplies, for each layer, its kernel variable and how to compute z.
 * Async: it reads one variance per iteration from the device.
 *
 * Reference: Mishkin & Matas 2016, "All you need is a good init", https://arxiv.org/abs/1511.06422
 *
 * ```ts
 * const report = await lsuv(model, xBatch, {tolerance: 0.1, maxIterations: 10, seed: 0});
 * ```
 * @param model a `tf.LayersModel` / `tf.Sequential` (built: it has inputs)
 * @param x one input batch (a single-input model)
 * @param opts `tolerance` (0.1), `maxIterations` (10), `orthogonalInit` (true), `seed`
 * @returns per layer: final variance, iterations, converged; and the layer names
 */
export async function lsuv(model: tfl.LayersModel, x: tf.Tensor, opts?: st.LsuvOptions): Promise<LayersLsuvResult> {
  if (!(model instanceof tfl.LayersModel)) throw new Error(`lsuv: model must be a tf.LayersModel, got ${show(model)}`);
  if (!(x instanceof tf.Tensor)) throw new Error(`lsuv: x must be a tf.Tensor, got ${show(x)}`);
  if (model.inputs.length !== 1) throw new Error(`lsuv: model must have one input, got ${model.inputs.length}`);
  const inner = (model as tfl.LayersModel & {model?: tfl.LayersModel}).model ?? model; // a Sequential's graph
  const layers = (inner.layers as KernelLayer[]).filter((l) => l.kernel instanceof tfl.LayerVariable && l.trainable);
  if (layers.length === 0) throw new Error('lsuv: model has no layer with a kernel (dense, conv) to initialise');
  const steps: st.LsuvLayer[] = layers.map((layer) => {
    const input = layer.input;
    if (Array.isArray(input)) throw new Error(`lsuv: layer ${layer.name} has several inputs; LSUV needs single-input layers`);
    const feed = input === inner.inputs[0] ? null : tfl.model({inputs: inner.inputs, outputs: input});
    return {
      kernel: (layer.kernel as tfl.LayerVariable).read() as tf.Variable,
      // z from the batch itself (not from the previous step's output): the graph between two
      // kernel layers may hold pooling, norms, residual adds; `lsuv` passes its chain value, unused here
      forward: () =>
        tf.tidy(() => {
          const h = feed ? (feed.apply(x, {training: false}) as tf.Tensor) : x;
          const activation = layer.activation;
          layer.activation = LINEAR;
          try {
            return layer.call(h, {training: false}) as tf.Tensor;
          } finally {
            layer.activation = activation;
          }
        }),
    };
  });
  const result = await st.lsuv(steps, x, opts);
  return {...result, layers: layers.map((l) => l.name)};
}
