import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {updateBatchNormStats as updateStats} from '@stable-train/lr-schedule';

/**
 * The batches `[start, start + batchSize)` of `x` (or of each input of a multi-input model), in
 * order; each batch is freed when the next one is asked for.
 */
function* slices(x: tf.Tensor | tf.Tensor[], batchSize: number): Generator<tf.Tensor | tf.Tensor[]> {
  const xs = Array.isArray(x) ? x : [x];
  const n = xs[0].shape[0];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const b = xs.map((t) => tf.slice(t, start, size));
    try {
      yield Array.isArray(x) ? b : b[0];
    } finally {
      tf.dispose(b);
    }
  }
}

/**
 * Recomputes the moving mean and variance of every batch-norm layer of a tf.layers model
 * (`tf.layers.batchNormalization` and this package's `layers.batchNormalization`, nested models
 * included) as the plain average of the batch statistics over one pass of `x` in batches of
 * `batchSize` (lr-schedule's `updateBatchNormStats`, PyTorch `torch.optim.swa_utils.update_bn`):
 * call it after putting averaged weights into the model (`callbacks.weightAveraging`, or
 * lr-schedule's `swa().copyTo(model.trainableWeights)`), whose batch statistics were never seen
 * by the moving averages. Other weights are not changed; the layers' momenta are restored.
 *
 * PyTorch `torch.optim.swa_utils.update_bn(loader, model)`; Keras: none.
 * https://pytorch.org/docs/stable/optim.html#taking-care-of-batch-normalization
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {updateBatchNormStats} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [3]}), tf.layers.batchNormalization()]});
 * const n = await updateBatchNormStats(model, tf.randomNormal([64, 3]), {batchSize: 16});
 * console.log(n); // 1 batch-norm layer updated
 * ```
 * @param model a tf.layers model
 * @param x the inputs (the training set, usually); a list for a multi-input model; stays the caller's
 * @param opts.batchSize samples per batch, integer >= 2 (default 32): batch statistics depend on it
 * @returns the number of batch-norm layers updated
 */
export async function updateBatchNormStats(model: tfl.LayersModel, x: tf.Tensor | tf.Tensor[], opts: {batchSize?: number} = {}): Promise<number> {
  const fn = 'updateBatchNormStats';
  if (model == null || !Array.isArray((model as {layers?: unknown}).layers)) throw new Error(`${fn}: model must be a tf.layers model, got ${String(model)}`);
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length === 0 || !xs.every((t) => t instanceof tf.Tensor && t.rank >= 1 && t.shape[0] === xs[0].shape[0]) || xs[0].shape[0] === 0) {
    throw new Error(`${fn}: x must be a non-empty tensor (or a list of tensors with the same number of samples), got ${String(x)}`);
  }
  if (opts == null || typeof opts !== 'object') throw new Error(`${fn}: opts must be an object, got ${String(opts)}`);
  for (const k of Object.keys(opts)) if (k !== 'batchSize') throw new Error(`${fn}: unknown option '${k}' (known: batchSize)`);
  const bs = opts.batchSize ?? 32;
  if (!(Number.isInteger(bs) && bs >= 2)) throw new Error(`${fn}: batchSize must be an integer >= 2, got ${String(bs)}`);
  return updateStats(model as unknown as Parameters<typeof updateStats>[0], slices(x, bs));
}
