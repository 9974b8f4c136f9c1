import * as tf from '@tensorflow/tfjs-core';
import type {Dataset} from './data/dataset';
import {resolveLoss, type LossFn, type LossName} from './losses';
import type {Module} from './types';

/** Loss and (for classification) accuracy over a dataset. */
export interface EvalResult {
  loss: number;
  /** Fraction of samples whose arg-max prediction equals the label (NaN for regression). */
  accuracy: number;
  samples: number;
}

/**
 * Evaluates a model in inference mode over a whole dataset, in batches, with one host read at
 * the end (sums are kept on device).
 *
 * ```ts
 * const {loss, accuracy} = await evaluate(model, testSet, {batchSize: 256});
 * ```
 * @param model the module
 * @param data the dataset (class ids for accuracy)
 * @param opts `batchSize` (default 256) and `loss` (default softmax cross-entropy)
 */
export async function evaluate(
  model: Module,
  data: Dataset,
  opts: {batchSize?: number; loss?: LossName | LossFn} = {},
): Promise<EvalResult> {
  const bs = opts.batchSize ?? 256;
  if (!(Number.isInteger(bs) && bs >= 1)) throw new Error(`evaluate: batchSize must be an integer >= 1, got ${bs}`);
  if (!data || !(data.size > 0)) throw new Error('evaluate: the dataset is empty');
  const loss = resolveLoss(opts.loss ?? 'softmax_cross_entropy');
  let sums = tf.zeros([2]);
  for (let start = 0; start < data.size; start += bs) {
    const idx = Array.from({length: Math.min(bs, data.size - start)}, (_, i) => start + i);
    const b = data.batch(idx);
    const next = tf.tidy(() => {
      const pred = model.apply(b.x, {training: false});
      const l = tf.mul(loss(b.y, pred), idx.length);
      const correct = data.numClasses !== undefined && pred.rank === 2
        ? tf.sum(tf.cast(tf.equal(tf.argMax(pred, -1), tf.cast(b.y, 'int32')), 'float32'))
        : tf.scalar(NaN);
      return tf.add(sums, tf.stack([l, correct]));
    });
    tf.dispose([b.x, b.y, sums]);
    sums = next;
  }
  const [l, c] = await sums.data();
  sums.dispose();
  return {loss: l / data.size, accuracy: c / data.size, samples: data.size};
}
