import * as tf from '@tensorflow/tfjs-core';
import {disposeAbandonedTape} from './backends/dispose_abandoned_tape';
import type {LossFn} from './losses';
import type {Batch, Module, NamedTensorMap, Penalty} from './types';

/** Loss and gradients, owned by the caller (the guard's statistics are measured by `measure`). */
export interface GradResult {
  /** Mean loss over the micro-batches (including penalties). */
  loss: tf.Scalar;
  /** Mean gradient over the micro-batches, by variable name. */
  grads: NamedTensorMap;
}

/**
 * Forward in training mode, loss plus penalties and `tf.variableGrads`, over `k` micro-batches
 * of `batch` (gradient accumulation: the mean of the micro-batch gradients equals the full
 * batch's gradient for a mean-reduced loss and a model without batch statistics).
 *
 * ```ts
 * const r = computeGrads(model, params, softmaxCrossEntropy, [], batch, 1);
 * ```
 * @param model the module to train
 * @param params its trainable variables by name
 * @param loss `(yTrue, yPred) => scalar`
 * @param penalties extra terms added to the loss, each `(params) => scalar`
 * @param batch inputs and targets
 * @param k number of micro-batches; must divide the batch size
 */
export function computeGrads(
  model: Module,
  params: {[name: string]: tf.Variable},
  loss: LossFn,
  penalties: Penalty[],
  batch: Batch,
  k: number,
): GradResult {
  const n = batch.x.shape[0];
  if (!(Number.isInteger(k) && k >= 1 && n % k === 0)) {
    throw new Error(`computeGrads: accumulate (${k}) must be an integer >= 1 that divides the batch size ${n}`);
  }
  const varList = Object.values(params);
  try {
    return gradsOf(model, params, varList, loss, penalties, batch, k);
  } catch (e) {
    disposeAbandonedTape(); // the forward threw: free what the tape kept for a backward pass
    throw e;
  }
}

function gradsOf(
  model: Module, params: {[name: string]: tf.Variable}, varList: tf.Variable[], loss: LossFn, penalties: Penalty[], batch: Batch, k: number,
): GradResult {
  return tf.tidy(() => {
    const xs = k === 1 ? [batch.x] : tf.split(batch.x, k, 0);
    const ys = k === 1 ? [batch.y] : tf.split(batch.y, k, 0);
    let lossSum: tf.Tensor | null = null;
    let gradSum: NamedTensorMap | null = null;
    for (let i = 0; i < k; i++) {
      const {value, grads} = tf.variableGrads(() => {
        let l = loss(ys[i], model.apply(xs[i], {training: true}));
        for (const p of penalties) l = tf.add(l, p(params));
        return l as tf.Scalar;
      }, varList);
      lossSum = lossSum === null ? value : tf.add(lossSum, value);
      if (gradSum === null) gradSum = grads;
      else {
        const prev: NamedTensorMap = gradSum;
        gradSum = {};
        for (const name of Object.keys(prev)) gradSum[name] = tf.add(prev[name], grads[name]);
      }
    }
    const grads: NamedTensorMap = {};
    for (const name of Object.keys(gradSum!)) grads[name] = k === 1 ? gradSum![name] : tf.div(gradSum![name], k);
    return {loss: (k === 1 ? lossSum! : tf.div(lossSum!, k)) as tf.Scalar, grads};
  });
}

/**
 * 1 when every input value and every float target (regression labels) of `batch` is finite, else
 * 0, as one float32 scalar on device.
 * @param batch inputs and targets
 */
export function batchFinite(batch: Batch): tf.Scalar {
  return tf.tidy(() => {
    const finite = (t: tf.Tensor): tf.Tensor => (t.dtype === 'float32' ? tf.all(tf.isFinite(t)) : tf.scalar(true, 'bool'));
    return tf.cast(tf.logicalAnd(finite(batch.x), finite(batch.y)), 'float32') as tf.Scalar;
  });
}

/**
 * 1 when every value of every tensor is finite, else 0, as one float32 scalar on device.
 * Σ (g · 0) is 0 exactly when all g are finite (NaN · 0 and ±∞ · 0 are NaN): two cheap passes,
 * no boolean reduction per tensor.
 */
export function allFiniteScalar(ts: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (ts.length === 0) return tf.scalar(1);
    const probe = tf.addN(ts.map((t) => tf.sum(tf.mul(t, 0))));
    return tf.cast(tf.isFinite(probe), 'float32') as tf.Scalar;
  });
}

/**
 * Global L2 norm that does not overflow while the values are finite:
 * ‖g‖ = m · sqrt(Σ (g/m)²) with m = max |g| (the LAPACK `nrm2` scaling). Costs two more passes
 * than grad-clip's `globalNorm`; the Trainer uses it only when that plain form overflowed.
 *
 * ```ts
 * const n = safeGlobalNorm([tf.tensor([3e20, 4e20])]); // 5e20, where sqrt(Σ g²) is Infinity
 * ```
 * @param ts the tensors, viewed as one vector
 */
export function safeGlobalNorm(ts: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (ts.length === 0) return tf.scalar(0);
    const m = tf.max(tf.stack(ts.map((t) => tf.max(tf.abs(t)))));
    const scale = tf.where(tf.greater(m, 0), m, tf.onesLike(m));
    const ss = tf.addN(ts.map((t) => tf.sum(tf.square(tf.div(t, scale)))));
    return tf.mul(scale, tf.sqrt(ss)) as tf.Scalar;
  });
}
