import * as tf from '@tensorflow/tfjs-core';
import type {Batch} from './types';

/**
 * Checks a batch before a step makes any tensor: `{x, y}` tensors with the same number of samples,
 * and `x` of the shape the model declares in `inputShape` (when it declares one; -1 matches any size).
 * @param batch the step's batch
 * @param model the model, for its optional `inputShape`
 */
export function checkBatch(batch: Batch, model: {inputShape?: number[]}): void {
  if (!batch || !(batch.x instanceof tf.Tensor) || !(batch.y instanceof tf.Tensor)) {
    throw new Error('Trainer.step: batch must be {x: tf.Tensor, y: tf.Tensor}');
  }
  if (batch.x.shape[0] !== batch.y.shape[0]) {
    throw new Error(`Trainer.step: x has ${batch.x.shape[0]} samples but y has ${batch.y.shape[0]}`);
  }
  const want = model.inputShape;
  const got = batch.x.shape.slice(1);
  if (want && (got.length !== want.length || want.some((d, i) => d !== -1 && d !== got[i]))) {
    throw new Error(`Trainer.step: batch x has shape [${batch.x.shape}] but the model expects [N,${want}]`);
  }
}
