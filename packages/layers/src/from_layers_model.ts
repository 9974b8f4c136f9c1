import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * The module shape of the `stable-train` umbrella (declared here structurally: this package does
 * not depend on the umbrella): `apply(x, {training})`, every variable (trainable and not, told
 * apart by `Variable.trainable`), `dispose()`.
 */
export interface LayersModule {
  /** runs the model; `training` switches batch statistics, dropout and similar */
  apply(x: tf.Tensor, opts?: {training?: boolean}): tf.Tensor;
  /** every weight of the model as the `tf.Variable` tfjs-layers keeps it in */
  readonly variables: tf.Variable[];
  /** frees the model's weights */
  dispose(): void;
  /** the wrapped model */
  readonly model: tfl.LayersModel;
}

/**
 * Views a tf.layers model (`tf.sequential`, `tf.model`, a loaded model) as a stable-train module,
 * so the umbrella's `Trainer` (clipping, explosion guard, schedules, checkpoints) trains it:
 * `apply(x, {training})` is `model.apply(x, {training})`; `variables` are the `tf.Variable`s
 * behind `model.weights` (trainable ones, then the rest, e.g. batch-norm moving statistics,
 * with `trainable` false). Nothing is copied: training the module trains the model.
 * The model must have one input and one output.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {fromLayersModel} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 2, inputShape: [3]})]});
 * const m = fromLayersModel(model);
 * const out = m.apply(tf.ones([4, 3]), {training: true});
 * console.log(out.shape, m.variables.map((v) => v.name)); // [4, 2] ['dense_Dense1/kernel', 'dense_Dense1/bias']
 * // new Trainer({model: m, optimizer: ..., ...}) from 'stable-train' trains `model` in place
 * ```
 * @param model a tf.layers model with one input and one output
 */
export function fromLayersModel(model: tfl.LayersModel): LayersModule {
  if (!(model instanceof tfl.LayersModel)) {
    const what = model == null ? String(model) : (model as object).constructor?.name ?? typeof model;
    throw new Error(`fromLayersModel: model must be a tf.LayersModel (tf.sequential, tf.model or a loaded model), got ${what}`);
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`fromLayersModel: model must have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`);
  }
  return {
    model,
    apply(x: tf.Tensor, opts: {training?: boolean} = {}): tf.Tensor {
      if (!(x instanceof tf.Tensor)) throw new Error(`fromLayersModel: apply: x must be a tf.Tensor, got ${String(x)}`);
      return model.apply(x, {training: opts.training ?? false}) as tf.Tensor;
    },
    get variables(): tf.Variable[] {
      return [...model.trainableWeights, ...model.nonTrainableWeights].map((w) => w.read() as tf.Variable);
    },
    dispose(): void {
      model.dispose();
    },
  };
}
