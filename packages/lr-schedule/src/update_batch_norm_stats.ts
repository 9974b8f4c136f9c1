import * as tf from '@tensorflow/tfjs-core';
import {show} from './validate';

/** What {@link updateBatchNormStats} needs of a model: its layers and a training-mode call. */
export interface ModelWithLayers {
  layers: unknown[];
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: {training?: boolean}): unknown;
}

/** A batch-norm layer as tfjs-layers has it: moving statistics updated with `momentum` in training calls. */
interface BatchNormLike {
  momentum: number;
  movingMean: {write(v: tf.Tensor): void; read(): tf.Tensor};
  movingVariance: {write(v: tf.Tensor): void; read(): tf.Tensor};
}

function isBatchNorm(l: unknown): l is BatchNormLike {
  const o = l as Partial<BatchNormLike> | null;
  return o != null && typeof o.momentum === 'number' && o.movingMean != null && o.movingVariance != null &&
    typeof o.movingMean.write === 'function' && typeof o.movingVariance.write === 'function';
}

function collect(layers: unknown[], out: BatchNormLike[]): void {
  for (const l of layers) {
    if (isBatchNorm(l)) out.push(l);
    const inner = (l as {layers?: unknown[]}).layers;
    if (Array.isArray(inner)) collect(inner, out); // nested models
  }
}

/**
 * Recomputes the moving mean/variance of every batch-norm layer of `model` (nested models
 * included) as the plain average over one pass of `data`, the way PyTorch's
 * `torch.optim.swa_utils.update_bn` does after {@link swa}'s `copyTo`: the statistics are reset
 * to mean 0 / variance 1, each layer's momentum is set so that batch k is folded in with weight
 * 1/k (PyTorch `momentum=None`, a cumulative average), the model runs in training mode on every
 * batch, and the momenta are restored. The per-batch variance is the layer's own (tfjs-layers:
 * biased; PyTorch's running_var is unbiased). Weights other than the moving statistics are not
 * changed. A model without batch norm is left as it is.
 *
 * PyTorch `torch.optim.swa_utils.update_bn(loader, model)`; Keras: none.
 * https://pytorch.org/docs/stable/optim.html#taking-care-of-batch-normalization
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import {updateBatchNormStats} from '@stable-train/lr-schedule';
 * const model = tfl.sequential({layers: [tfl.layers.dense({units: 2, inputShape: [3]}), tfl.layers.batchNormalization()]});
 * await updateBatchNormStats(model, [tf.randomNormal([8, 3]), tf.randomNormal([8, 3])]);
 * ```
 * @param model a tfjs-layers model (or anything with `layers` and `apply(x, {training})`)
 * @param data the input batches: an array or (async) iterable of tensors (or tensor arrays for
 *   multi-input models); they stay owned by the caller
 * @returns the number of batch-norm layers updated
 */
export async function updateBatchNormStats(
  model: ModelWithLayers,
  data: Iterable<tf.Tensor | tf.Tensor[]> | AsyncIterable<tf.Tensor | tf.Tensor[]>,
): Promise<number> {
  const fn = 'updateBatchNormStats';
  if (model == null || !Array.isArray(model.layers) || typeof model.apply !== 'function') {
    throw new Error(`${fn}: model must have layers and apply(x, {training}) (a tfjs-layers model), got ${show(model)}`);
  }
  if (data == null || (typeof (data as Iterable<unknown>)[Symbol.iterator] !== 'function' && typeof (data as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')) {
    throw new Error(`${fn}: data must be an array or (async) iterable of input batches, got ${show(data)}`);
  }
  const bns: BatchNormLike[] = [];
  collect(model.layers, bns);
  if (bns.length === 0) return 0;
  const momenta = bns.map((b) => b.momentum);
  for (const b of bns) {
    tf.tidy(() => {
      b.movingMean.write(tf.zerosLike(b.movingMean.read()));
      b.movingVariance.write(tf.onesLike(b.movingVariance.read()));
    });
  }
  let k = 0;
  try {
    for await (const x of data as AsyncIterable<tf.Tensor | tf.Tensor[]>) {
      k++;
      for (const b of bns) b.momentum = 1 - 1 / k; // new = old − (old − batch)/k: the mean of batches 1..k
      tf.dispose(tf.tidy(() => model.apply(x, {training: true}) as tf.Tensor));
    }
  } finally {
    bns.forEach((b, i) => (b.momentum = momenta[i]));
  }
  return bns.length;
}
