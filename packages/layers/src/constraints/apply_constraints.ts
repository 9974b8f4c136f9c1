import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {show} from '../serializable_args';

/**
 * Applies every weight constraint of a tf.layers model to its weights, in place: for each weight
 * (kernel, bias, gamma, beta, ... of every layer, nested models included) that has a constraint —
 * ours or tfjs's own `tf.constraints.*` — `w ← constraint(w)`. One `tf.tidy`, no tensor kept.
 *
 * Why: tfjs-layers 4.22 applies a layer's `kernelConstraint` only when a weight is written with
 * `LayerVariable.write`, which its optimizers never do, so constraints are silently ignored by
 * `model.fit` (tensorflow/tfjs#3345, #3979). Keras applies them after every optimizer step; call
 * this after each update of your own, or add `enforceConstraints()` to `model.fit`'s callbacks.
 *
 * ```ts
 * const model = tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [4], kernelConstraint: maxNorm({maxValue: 1})})]});
 * applyConstraints(model); // kernel columns now have norm <= 1
 * ```
 * @param model a `tf.LayersModel` (or `tf.Sequential`, or a single layer)
 * @returns the names of the weights it constrained
 */
export function applyConstraints(model: tfl.LayersModel | tfl.layers.Layer): string[] {
  if (!(model instanceof tfl.layers.Layer)) {
    throw new Error(`applyConstraints: model must be a tf.LayersModel or tf.layers.Layer, got ${show(model)}`);
  }
  const constrained = model.weights.filter((w) => w.constraint != null);
  tf.tidy(() => {
    for (const w of constrained) {
      // LayerVariable.read() is the tf.Variable itself: assign in place, keep its identity
      (w.read() as tf.Variable).assign(w.constraint.apply(w.read()));
    }
  });
  return constrained.map((w) => w.name);
}
