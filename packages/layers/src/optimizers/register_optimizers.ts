import * as tf from '@tensorflow/tfjs-core';
import {registerOptimizers as registerScheduleOptimizers} from '@stable-train/lr-schedule';
import {ClippedOptimizer, registerClippedOptimizer} from '@stable-train/grad-clip';
import {ApplyIfFiniteOptimizer} from './apply_if_finite';

/**
 * Registers every optimizer class a saved model may name with `tf.serialization.registerClass`:
 * every optimizer of `@stable-train/lr-schedule` (its `registerOptimizers()`: the `Torch*`
 * optimizers and `ScheduledOptimizer`), grad-clip's `ClippedOptimizer`
 * (`registerClippedOptimizer()`) and {@link ApplyIfFiniteOptimizer}. Importing
 * `@stable-train/layers` runs it once (this file is listed in `sideEffects`, so bundlers keep
 * it); call it again before `tf.loadLayersModel` only if something replaced a registration.
 * Idempotent.
 *
 * ```ts
 * import {optimizers} from '@stable-train/layers';
 * optimizers.registerOptimizers();
 * ```
 * @returns the class names registered
 */
export function registerOptimizers(): string[] {
  registerClippedOptimizer();
  tf.serialization.registerClass(ApplyIfFiniteOptimizer);
  return [...registerScheduleOptimizers(), ClippedOptimizer.className, ApplyIfFiniteOptimizer.className];
}

// The technique packages register nothing on import; @stable-train/layers registers the
// optimizers they define, as it registers its own layers, so loading needs only this import.
registerOptimizers();
