import * as tf from '@tensorflow/tfjs-core';
import {updateBatchNormStats} from '@stable-train/lr-schedule';
import type {AveragingStage} from './averaging_stage';
import type {Dataset} from './data/dataset';
import {evaluate, type EvalResult} from './evaluate';
import type {LossFn, LossName} from './losses';
import type {Module} from './types';

/** Options of `Trainer.evaluate`. */
export interface TrainerEvalOptions {
  /** 'live' (default): the weights being trained; 'averaged': the `averaging` option's average. */
  weights?: 'live' | 'averaged';
  /** Default 256. */
  batchSize?: number;
  /**
   * With `weights: 'averaged'`: recompute the batch-norm statistics for the averaged weights on
   * one pass over these inputs first (lr-schedule's `updateBatchNormStats`, PyTorch
   * `swa_utils.update_bn`; usually the training set). The live statistics are put back after.
   * The batch norms are looked up in the model's `norms` (the stable-train models list theirs),
   * else its `layers`, else `model.layers` (a `fromLayersModel` module of @stable-train/layers).
   */
  batchNormData?: Dataset;
}

/** What `evaluateWith` needs of the Trainer. */
export interface EvalSubject {
  readonly model: Module;
  readonly averaging: AveragingStage | null;
  readonly step_: number;
  readonly opts: {loss?: LossName | LossFn};
  readonly params: {[name: string]: tf.Variable};
}

/**
 * The inputs of `data` in order, `batchSize` at a time (each batch is freed when the next is asked for).
 * @param data the dataset
 * @param batchSize samples per batch (the last batch may be smaller)
 */
export function* inputBatches(data: Dataset, batchSize: number): Generator<tf.Tensor> {
  for (let start = 0; start < data.size; start += batchSize) {
    const b = data.batch(Array.from({length: Math.min(batchSize, data.size - start)}, (_, i) => start + i));
    b.y.dispose();
    try {
      yield b.x;
    } finally {
      b.x.dispose();
    }
  }
}

/**
 * Evaluates the Trainer's model with its live or its averaged weights. The averaged weights are
 * swapped in (`swapIn`) and out (`swapOut`) around the evaluation, and with `batchNormData` the
 * non-trainable variables (moving statistics) are copied before `updateBatchNormStats` and put
 * back after: the live weights and statistics come out bit for bit as they went in.
 * @param t the trainer
 * @param data the dataset to evaluate on
 * @param o see {@link TrainerEvalOptions}
 */
export async function evaluateWith(t: EvalSubject, data: Dataset, o: TrainerEvalOptions = {}): Promise<EvalResult> {
  const fn = 'Trainer.evaluate';
  const weights = o.weights ?? 'live';
  if (weights !== 'live' && weights !== 'averaged') throw new Error(`${fn}: weights must be 'live' or 'averaged', got ${JSON.stringify(weights)}`);
  const bs = o.batchSize ?? 256;
  if (!(Number.isInteger(bs) && bs >= 1)) throw new Error(`${fn}: batchSize must be an integer >= 1, got ${bs}`);
  const ev = (): Promise<EvalResult> => evaluate(t.model, data, {batchSize: bs, loss: t.opts.loss});
  if (weights === 'live') {
    if (o.batchNormData !== undefined) throw new Error(`${fn}: batchNormData is for weights: 'averaged' (the live statistics belong to the live weights)`);
    return ev();
  }
  const av = t.averaging;
  if (!av) throw new Error(`${fn}: weights 'averaged' needs the Trainer's averaging option (e.g. averaging: {kind: 'ema', decay: 0.999})`);
  if (!av.initialized) throw new Error(`${fn}: no averaged weights yet: averaging starts before step ${av.start}, the trainer is at step ${t.step_}`);
  const bnData = o.batchNormData;
  if (bnData !== undefined && !(bnData && typeof bnData.batch === 'function' && bnData.size > 0)) throw new Error(`${fn}: batchNormData must be a non-empty Dataset, got ${String(bnData)}`);
  const m = t.model as {norms?: unknown[]; layers?: unknown[]; model?: {layers?: unknown[]}};
  const norms = m.norms ?? m.layers ?? m.model?.layers;
  if (bnData && !Array.isArray(norms)) throw new Error(`${fn}: batchNormData needs a model that lists its norm modules in 'norms' (the stable-train models and fromLayersModel modules do)`);
  const stats = bnData ? t.model.variables.filter((v) => !v.trainable) : [];
  const saved = stats.map((v) => tf.clone(v));
  av.averager.swapIn(t.params);
  try {
    if (bnData) await updateBatchNormStats({layers: norms!, apply: (x, k) => t.model.apply(x as tf.Tensor, k)}, inputBatches(bnData, bs));
    return await ev();
  } finally {
    stats.forEach((v, i) => v.assign(saved[i]));
    tf.dispose(saved);
    av.averager.swapOut();
  }
}
