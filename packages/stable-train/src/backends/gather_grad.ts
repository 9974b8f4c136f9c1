// Gradient override for GatherV2 (embeddings) without UnsortedSegmentSum, which the WASM backend
// lacks: the rows of dy are summed into place with scatterND (duplicates add up).
import * as tf from '@tensorflow/tfjs-core';
import {stockGradient} from './stock_gradient';

/**
 * dL/dx of `gather(x, indices, axis)` (batchDims = 0): `dy` reshaped to
 * `[...outer, N, ...inner]`, the gathered axis moved to the front, scattered with `scatterND`
 * into `[x.shape[axis], ...outer, ...inner]` and moved back.
 *
 * @param dy gradient of the gather output
 * @param xShape shape of the gathered tensor
 * @param indices the int32 indices used by the forward gather
 * @param axis the gathered axis (negative counts from the end)
 * @returns dL/dx, shape `xShape`
 */
export function gatherInputGrad(dy: tf.Tensor, xShape: number[], indices: tf.Tensor, axis: number): tf.Tensor {
  const ax = axis < 0 ? axis + xShape.length : axis;
  const outer = xShape.slice(0, ax);
  const inner = xShape.slice(ax + 1);
  return tf.tidy(() => {
    const values = tf.reshape(dy, [...outer, indices.size, ...inner]);
    const toFront = [ax, ...outer.map((_, i) => i), ...inner.map((_, i) => ax + 1 + i)];
    const moved = ax === 0 ? values : tf.transpose(values, toFront);
    const idx = tf.reshape(indices.dtype === 'int32' ? indices : tf.cast(indices, 'int32'), [indices.size, 1]);
    const g = tf.scatterND(idx, moved, [xShape[ax], ...outer, ...inner]);
    return ax === 0 ? g : tf.transpose(g, tf.backend_util.getUndoAxesPermutation(toFront));
  });
}

/** Gradient of `GatherV2` via {@link gatherInputGrad}; batchDims > 0 keeps the stock gradient. */
export const gatherGradConfig: tf.GradConfig = {
  kernelName: tf.GatherV2,
  inputsToSave: ['x', 'indices'],
  gradFunc: (dy, saved, attrs) => {
    const {axis, batchDims} = attrs as unknown as {axis: number; batchDims: number};
    if (batchDims) return stockGradient(tf.GatherV2).gradFunc(dy, saved, attrs);
    const [x, indices] = saved;
    return {x: () => gatherInputGrad(dy as tf.Tensor, x.shape, indices, axis), indices: () => indices};
  },
};
