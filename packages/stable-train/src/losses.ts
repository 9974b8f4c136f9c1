import * as tf from '@tensorflow/tfjs-core';

/** A loss `(yTrue, yPred) => scalar`, mean over the batch. */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** Loss names the Trainer and configs accept. */
export type LossName = 'softmax_cross_entropy' | 'mse';

/**
 * Softmax cross-entropy from logits, mean over the batch (PyTorch `F.cross_entropy`).
 * Labels are class ids (`[N]`, int32 or float) or one-hot/probabilities `[N, C]`.
 *
 * ```ts
 * const loss = softmaxCrossEntropy(tf.tensor1d([2, 0], 'int32'), logits);
 * ```
 * @param yTrue class ids `[N]` or targets `[N, C]`
 * @param logits `[N, C]` unnormalised scores
 */
export function softmaxCrossEntropy(yTrue: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [N, C], got shape [${logits.shape}]`);
  const [n, c] = logits.shape;
  if (yTrue.shape[0] !== n) {
    throw new Error(`softmaxCrossEntropy: labels have ${yTrue.shape[0]} rows but logits have ${n}`);
  }
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
 * Resolves a loss from its name or returns the function given.
 * @param loss `'softmax_cross_entropy'`, `'mse'` or a function
 */
export function resolveLoss(loss: LossName | LossFn): LossFn {
  if (typeof loss === 'function') return loss;
  if (loss === 'softmax_cross_entropy') return softmaxCrossEntropy;
  if (loss === 'mse') return meanSquaredError;
  throw new Error(`resolveLoss: unknown loss ${JSON.stringify(loss)}, expected 'softmax_cross_entropy', 'mse' or a function`);
}
