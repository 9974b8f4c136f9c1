import * as tf from '@tensorflow/tfjs-core';
import {show} from './validate';

/** What {@link updateBatchNormStats} needs of a model: its layers and a training-mode call. */
export interface ModelWithLayers {
  layers: unknown[];
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: {training?: boolean}): unknown;
}

/** A moving statistic: a tfjs-layers `LayerVariable` (read/write) or a `tf.Variable` (assign). */
interface StatVar {
  read?(): tf.Tensor;
  write?(v: tf.Tensor): void;
  assign?(v: tf.Tensor): void;
}

/**
 * One batch-norm layer, seen through what update_bn needs: reset the statistics, make the next
 * training call fold its batch in with weight 1/k, put the layer's own settings back.
 */
interface StatsLayer {
  reset(): void;
  weigh(k: number): void;
  restore(): void;
}

const isVar = (v: unknown): v is StatVar => v != null && (typeof (v as StatVar).write === 'function' || v instanceof tf.Variable);
const valueOf = (v: StatVar): tf.Tensor => (v instanceof tf.Variable ? v : v.read!());
const put = (v: StatVar, t: tf.Tensor): void => (typeof v.write === 'function' ? v.write(t) : v.assign!(t));

/**
 * A tfjs-layers batch-norm layer (`tf.layers.batchNormalization`, @stable-train/layers'):
 * moving ← m·moving + (1 − m)·batch, so m = 1 − 1/k. A @stable-train/batchnorm `BatchNorm`
 * (`convention` 'pytorch': moving ← (1 − m)·moving + m·batch, m = 1/k; 'keras' as tfjs-layers;
 * `momentum: null`: its own cumulative average, restarted by zeroing `numBatchesTracked`).
 */
function statsLayer(l: unknown): StatsLayer | null {
  const o = l as {momentum?: unknown; convention?: unknown; movingMean?: unknown; movingVariance?: unknown; numBatchesTracked?: unknown} | null;
  if (o == null || !isVar(o.movingMean) || !isVar(o.movingVariance)) return null;
  const pytorch = o.convention === 'pytorch';
  if (typeof o.momentum !== 'number' && !(pytorch && o.momentum === null && o.numBatchesTracked instanceof tf.Variable)) return null;
  const [mm, mv] = [o.movingMean, o.movingVariance];
  const m0 = o.momentum;
  const count = o.numBatchesTracked instanceof tf.Variable ? o.numBatchesTracked : null;
  return {
    reset: () => tf.tidy(() => {
      put(mm, tf.zerosLike(valueOf(mm)));
      put(mv, tf.onesLike(valueOf(mv)));
      if (m0 === null) count!.assign(tf.zerosLike(count!)); // PyTorch reset_running_stats
    }),
    weigh: (k) => {
      if (m0 !== null) o.momentum = pytorch ? 1 / k : 1 - 1 / k;
    },
    restore: () => {
      o.momentum = m0;
    },
  };
}

function collect(layers: unknown[], out: StatsLayer[]): void {
  for (const l of layers) {
    const s = statsLayer(l);
    if (s) out.push(s);
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
 * Batch-norm layers are found in `model.layers` (and nested `layers`): tfjs-layers' and
 * @stable-train/layers' `batchNormalization` (moving ← m·moving + (1 − m)·batch, m set to
 * 1 − 1/k), and @stable-train/batchnorm's `BatchNorm` modules (PyTorch convention: m = 1/k;
 * Keras convention: as tfjs-layers; `momentum: null`: its own cumulative average, its
 * `num_batches_tracked` reset to 0 as PyTorch's `reset_running_stats` does). A module-based model
 * lists its norm modules in `layers`, e.g. `{layers: model.norms, apply: model.apply}` for the
 * stable-train models.
 *
 * PyTorch `torch.optim.swa_utils.update_bn(loader, model)`; Keras: none.
 * https://pytorch.org/docs/stable/optim.html#taking-care-of-batch-normalization
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * // tfl: @tensorflow/tfjs-layers
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
  const bns: StatsLayer[] = [];
  collect(model.layers, bns);
  if (bns.length === 0) return 0;
  for (const b of bns) b.reset();
  let k = 0;
  try {
    for await (const x of data as AsyncIterable<tf.Tensor | tf.Tensor[]>) {
      k++;
      for (const b of bns) b.weigh(k); // new = old − (old − batch)/k: the mean of batches 1..k
      tf.dispose(tf.tidy(() => model.apply(x, {training: true}) as tf.Tensor));
    }
  } finally {
    bns.forEach((b) => b.restore());
  }
  return bns.length;
}
