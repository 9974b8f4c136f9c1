import * as tf from '@tensorflow/tfjs-core';
import {bool, inRange, knownOptions} from './validate';
import {WeightAverager} from './weight_averager';

/** Options of {@link ema}; defaults are timm ModelEmaV2's. */
export interface EmaOptions {
  /** d in e ← d·e + (1−d)·w, in [0, 1] (default 0.9999) */
  decay?: number;
  /** the first update copies w (PyTorch AveragedModel with an EMA avg_fn) (default false: timm) */
  copyOnFirstUpdate?: boolean;
}

/** Exponential moving average of weights; build it with {@link ema}. */
export class Ema extends WeightAverager {
  readonly decay: number;
  readonly copyOnFirstUpdate: boolean;
  constructor(opts: EmaOptions = {}) {
    const fn = 'ema';
    knownOptions(fn, opts, ['decay', 'copyOnFirstUpdate']);
    const decay = inRange(fn, 'decay', opts.decay ?? 0.9999, 0, 1);
    const copy = bool(fn, 'copyOnFirstUpdate', opts.copyOnFirstUpdate ?? false);
    super(fn, copy);
    this.decay = decay;
    this.copyOnFirstUpdate = copy;
  }
  protected combine(a: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.add(tf.mul(a, this.decay), tf.mul(p, 1 - this.decay));
  }
}

/**
 * Exponential moving average of the weights: `init(w)` copies w, then every `update(w)` does
 * e ← d·e + (1−d)·w (timm `ModelEmaV2`: no warm-up, no bias correction; with d = 0.9999 the
 * average stays near the initial weights for thousands of updates). `copyOnFirstUpdate: true`
 * gives PyTorch `AveragedModel(model, avg_fn=lambda e, w, n: d*e + (1-d)*w)`: the first update
 * copies w, later ones average.
 *
 * timm `ModelEmaV2` (https://github.com/huggingface/pytorch-image-models, timm/utils/model_ema.py);
 * PyTorch `torch.optim.swa_utils.AveragedModel`; Keras `use_ema`; Optax `ema` (of updates).
 * Reference: Polyak & Juditsky 1992, https://doi.org/10.1137/0330046
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const w = tf.variable(tf.tensor1d([1, 2]), true, 'ema_doc_w');
 * const avg = ema({decay: 0.9});
 * avg.init([w]);
 * w.assign(tf.tensor1d([3, 4]));
 * avg.update([w]);
 * avg.values['ema_doc_w'].print(); // [1.2, 2.2]
 * avg.swapIn([w]); // evaluate with the average ...
 * avg.swapOut(); // ... and continue training with the raw weights
 * avg.dispose();
 * ```
 * @param opts.decay d (default 0.9999)
 * @param opts.copyOnFirstUpdate AveragedModel behaviour (default false)
 */
export function ema(opts: EmaOptions = {}): Ema {
  return new Ema(opts);
}
