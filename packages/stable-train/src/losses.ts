import * as tf from '@tensorflow/tfjs-core';
import {smoothLabels} from '@stable-train/regularizers';

/** A loss `(yTrue, yPred) => scalar`, mean over the batch. */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** Loss names the Trainer and configs accept. */
export type LossName = 'softmax_cross_entropy' | 'mse';

/** Options of {@link softmaxCrossEntropy}: PyTorch `F.cross_entropy(label_smoothing=, ignore_index=)`. */
export interface SoftmaxCrossEntropyOptions {
  /**
   * ε in [0, 1] (default 0): the target becomes (1 − ε)·onehot + ε/C, ε/C on every class including
   * the true one (regularizers' `smoothLabels`; Szegedy et al. 2016)
   */
  labelSmoothing?: number;
  /**
   * a class id whose rows do not count (class-id labels only): their loss and gradient are 0 and the
   * mean is over the other rows. Default: none (PyTorch's default is -100; pass it to get that).
   */
  ignoreIndex?: number;
}

/** A loss given by name with options, as configs write it: `{name: 'softmax_cross_entropy', labelSmoothing: 0.1}`. */
export interface LossSpec extends SoftmaxCrossEntropyOptions {
  name: 'softmax_cross_entropy';
}

/** Checks the options before any tensor is made (internal). */
function checkCrossEntropyOptions(options: unknown): SoftmaxCrossEntropyOptions {
  const fn = 'softmaxCrossEntropy';
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${fn}: options must be an object, got ${JSON.stringify(options)}`);
  }
  const o = options as SoftmaxCrossEntropyOptions;
  for (const k of Object.keys(o)) {
    if (k !== 'labelSmoothing' && k !== 'ignoreIndex') {
      throw new Error(`${fn}: unknown option '${k}' (known: labelSmoothing, ignoreIndex)`);
    }
  }
  const e = o.labelSmoothing;
  if (e !== undefined && (typeof e !== 'number' || !(e >= 0 && e <= 1))) {
    throw new Error(`${fn}: labelSmoothing must be a number in [0, 1], got ${JSON.stringify(e) ?? String(e)}`);
  }
  const ig = o.ignoreIndex;
  if (ig !== undefined && (typeof ig !== 'number' || !Number.isInteger(ig))) {
    throw new Error(`${fn}: ignoreIndex must be an integer, got ${JSON.stringify(ig) ?? String(ig)}`);
  }
  return o;
}

/**
 * Softmax cross-entropy from logits, mean over the batch (PyTorch `F.cross_entropy`).
 * Labels are class ids (`[N]`, int32 or float) or one-hot/probabilities `[N, C]`.
 * With options, PyTorch's `label_smoothing` and `ignore_index`:
 * loss_i = −Σ_c t_ic · log softmax(z_i)_c with t = (1 − ε)·onehot(y) + ε/C (via `smoothLabels`),
 * loss = Σ_{i kept} loss_i / #kept, kept = rows whose label is not `ignoreIndex`
 * (no row kept gives NaN, as PyTorch). The gradient is (softmax − t)/#kept on kept rows, 0 elsewhere.
 * Reference: https://pytorch.org/docs/1.13/generated/torch.nn.functional.cross_entropy.html;
 * label smoothing: Szegedy et al. 2016, https://arxiv.org/abs/1512.00567
 *
 * ```ts
 * const loss = softmaxCrossEntropy(tf.tensor1d([2, 0], 'int32'), logits);
 * const smoothed = softmaxCrossEntropy(labels, logits, {labelSmoothing: 0.1, ignoreIndex: -100});
 * ```
 * @param yTrue class ids `[N]` or targets `[N, C]`
 * @param logits `[N, C]` unnormalised scores
 * @param options `labelSmoothing` (default 0), `ignoreIndex` (class ids only; default none)
 */
export function softmaxCrossEntropy(yTrue: tf.Tensor, logits: tf.Tensor, options?: SoftmaxCrossEntropyOptions): tf.Scalar {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [N, C], got shape [${logits.shape}]`);
  const [n, c] = logits.shape;
  if (yTrue.shape[0] !== n) {
    throw new Error(`softmaxCrossEntropy: labels have ${yTrue.shape[0]} rows but logits have ${n}`);
  }
  const o = checkCrossEntropyOptions(options);
  if (o.ignoreIndex !== undefined && yTrue.rank !== 1) {
    throw new Error(`softmaxCrossEntropy: ignoreIndex needs class-id labels [N], got targets of shape [${yTrue.shape}]`);
  }
  if ((o.labelSmoothing ?? 0) > 0 || o.ignoreIndex !== undefined) return smoothedCrossEntropy(yTrue, logits, o);
  return tf.tidy(() => {
    // log-softmax as logits − logSumExp: tf.logSoftmax is a customGrad op, which the wasm backend
    // flags as a leak under IS_TEST; this form has the same gradient and is as stable.
    const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
    if (yTrue.rank === 1) {
      // Select the label's log-probability with a mask: no cast on the tape, and the wasm
      // backend's OneHot ignores a float32 dtype (it writes int32 bits).
      const ids = yTrue.dtype === 'int32' ? yTrue : tf.cast(yTrue, 'int32');
      const mask = tf.equal(tf.oneHot(ids as tf.Tensor1D, c), 1);
      return tf.neg(tf.div(tf.sum(tf.where(mask, logp, tf.zerosLike(logp))), n)) as tf.Scalar;
    }
    if (yTrue.shape[1] !== c) throw new Error(`softmaxCrossEntropy: targets have ${yTrue.shape[1]} classes, logits ${c}`);
    return tf.neg(tf.mean(tf.sum(tf.mul(yTrue, logp), -1))) as tf.Scalar;
  });
}

/** The options path of softmaxCrossEntropy (internal; arguments checked). */
function smoothedCrossEntropy(yTrue: tf.Tensor, logits: tf.Tensor, o: SoftmaxCrossEntropyOptions): tf.Scalar {
  const [, c] = logits.shape;
  return tf.tidy(() => {
    const logp = tf.sub(logits, tf.logSumExp(logits, -1, true));
    const smoothing = o.labelSmoothing ?? 0;
    if (yTrue.rank !== 1) {
      if (yTrue.shape[1] !== c) throw new Error(`softmaxCrossEntropy: targets have ${yTrue.shape[1]} classes, logits ${c}`);
      const t = smoothLabels(yTrue, {smoothing, numClasses: c});
      return tf.neg(tf.mean(tf.sum(tf.mul(t, logp), -1))) as tf.Scalar;
    }
    const ids = yTrue.dtype === 'int32' ? yTrue : tf.cast(yTrue, 'int32');
    // an ignored (e.g. -100) id is out of range, which smoothLabels marks with a NaN row: give it
    // class 0 instead (any valid row), since the row is masked out below; a NaN row would turn the
    // masked gradients into NaN (NaN · 0)
    const ig = o.ignoreIndex;
    const safe = ig === undefined ? ids : tf.where(tf.equal(ids, ig), tf.zerosLike(ids), ids);
    const t = smoothLabels(safe, {smoothing, numClasses: c});
    const perSample = tf.neg(tf.sum(tf.mul(t, logp), -1));
    if (ig === undefined) return tf.mean(perSample) as tf.Scalar;
    const keep = tf.notEqual(ids, ig);
    const kept = tf.where(keep, perSample, tf.zerosLike(perSample));
    return tf.div(tf.sum(kept), tf.sum(tf.cast(keep, 'float32'))) as tf.Scalar;
  });
}

/**
 * Mean squared error, mean over every element (PyTorch `F.mse_loss`).
 *
 * ```ts
 * const loss = meanSquaredError(y, model.apply(x));
 * ```
 * @param yTrue targets
 * @param yPred predictions of the same shape (a `[N]` target matches a `[N, 1]` prediction)
 */
export function meanSquaredError(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = yTrue.rank === yPred.rank - 1 && yPred.shape[yPred.rank - 1] === 1 ? tf.expandDims(yTrue, -1) : yTrue;
    if (t.shape.join(',') !== yPred.shape.join(',')) {
      throw new Error(`meanSquaredError: targets of shape [${yTrue.shape}] do not match predictions [${yPred.shape}]`);
    }
    return tf.mean(tf.squaredDifference(t, yPred)) as tf.Scalar;
  });
}

/**
 * Resolves a loss from its name or returns the function given; `{name: 'softmax_cross_entropy',
 * labelSmoothing, ignoreIndex}` gives the cross-entropy with those options (for configs and the CLI).
 * @param loss `'softmax_cross_entropy'`, `'mse'`, a {@link LossSpec} or a function
 */
export function resolveLoss(loss: LossName | LossFn | LossSpec): LossFn {
  if (typeof loss === 'function') return loss;
  if (loss !== null && typeof loss === 'object') {
    const {name, ...options} = loss as LossSpec;
    if (name !== 'softmax_cross_entropy') {
      throw new Error(`resolveLoss: a loss given as an object must have name 'softmax_cross_entropy', got ${JSON.stringify(name)}`);
    }
    checkCrossEntropyOptions(options);
    return (yTrue: tf.Tensor, yPred: tf.Tensor) => softmaxCrossEntropy(yTrue, yPred, options);
  }
  if (loss === 'softmax_cross_entropy') return softmaxCrossEntropy;
  if (loss === 'mse') return meanSquaredError;
  throw new Error(`resolveLoss: unknown loss ${JSON.stringify(loss)}, expected 'softmax_cross_entropy', 'mse' or a function`);
}
