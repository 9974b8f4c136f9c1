import * as tf from '@tensorflow/tfjs-core';
import {WeightAverager} from './weight_averager';

/** Stochastic weight averaging (running mean of the updates); build it with {@link swa}. */
export class Swa extends WeightAverager {
  constructor() {
    super('swa', true);
  }
  protected combine(a: tf.Tensor, p: tf.Tensor, n: number): tf.Tensor {
    return tf.add(a, tf.div(tf.sub(p, a), n + 1));
  }
}

/**
 * Stochastic weight averaging: the arithmetic mean of the weights passed to `update`,
 * a ← a + (w − a)/(n + 1) after n updates; the first update copies w, so the weights given to
 * `init` are **not** part of the mean (they are only the value before any update). Use it with
 * {@link swaSchedule}, and call {@link updateBatchNormStats} before evaluating a model with
 * batch norm.
 *
 * PyTorch `torch.optim.swa_utils.AveragedModel(model)` (default avg_fn, parameters only);
 * Keras: `SWA` in tensorflow-addons. Reference: Izmailov et al. 2018, "Averaging Weights Leads to
 * Wider Optima and Better Generalization", https://arxiv.org/abs/1803.05407
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const w = tf.variable(tf.tensor1d([0, 0]), true, 'swa_doc_w');
 * const avg = swa();
 * avg.init([w]);
 * for (const v of [[1, 2], [3, 4]]) {
 *   w.assign(tf.tensor1d(v));
 *   avg.update([w]);
 * }
 * avg.values['swa_doc_w'].print(); // [2, 3]
 * avg.copyTo([w]);
 * avg.dispose();
 * ```
 */
export function swa(): Swa {
  return new Swa();
}
