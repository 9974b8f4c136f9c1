import * as tfl from '@tensorflow/tfjs-layers';
import {fitModel, resolveLogs, type RawLogs} from './logs';

/** See {@link terminateOnNaN}. */
export class TerminateOnNaN extends tfl.Callback {
  /** the batch (within its epoch) whose loss was not finite, or -1 */
  stoppedAtBatch = -1;

  override async onBatchEnd(batch: number, logs?: RawLogs): Promise<void> {
    const l = await resolveLogs(logs);
    const loss = l.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      console.log(`Batch ${batch}: Invalid loss, terminating training`);
      this.stoppedAtBatch = batch;
      fitModel(this, 'terminateOnNaN').stopTraining = true;
    }
  }
}

/**
 * Stops `model.fit` after the first batch whose loss is NaN or ±Infinity (that batch's update
 * has already been applied; use `optimizers.applyIfFinite` to refuse it, or `explosionGuard`
 * to roll it back). Keras `callbacks.TerminateOnNaN()`, same message.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
 * model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
 * await model.fit(tf.ones([4, 2]), tf.fill([4, 1], NaN), {epochs: 3, callbacks: [callbacks.terminateOnNaN()], verbose: 0});
 * ```
 */
export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
