import * as tf from '@tensorflow/tfjs-core';
import * as lrSchedule from '@stable-train/lr-schedule';
import {ClippedOptimizer} from '@stable-train/grad-clip';
import {ApplyIfFiniteOptimizer} from './apply_if_finite';

type Registrable = tf.serialization.SerializableConstructor<tf.serialization.Serializable> & {className?: string};

/**
 * Registers every optimizer class a saved model may name with `tf.serialization.registerClass`:
 * each `tf.Optimizer` subclass exported by `@stable-train/lr-schedule` (all `TorchOptimizer`s,
 * present and future, and `ScheduledOptimizer`), grad-clip's `ClippedOptimizer` and
 * {@link ApplyIfFiniteOptimizer}. Call it once before `tf.loadLayersModel` when a bundler may
 * have dropped the modules that register them on import. Idempotent.
 *
 * ```ts
 * import {optimizers} from '@stable-train/layers';
 * optimizers.registerOptimizers();
 * ```
 * @returns the class names registered
 */
export function registerOptimizers(): string[] {
  const names: string[] = [];
  const all: unknown[] = [...Object.values(lrSchedule), ClippedOptimizer, ApplyIfFiniteOptimizer];
  for (const v of all) {
    if (typeof v !== 'function' || v.prototype == null || !(v.prototype instanceof tf.Optimizer)) continue;
    const cls = v as Registrable;
    if (typeof cls.className !== 'string' || cls.className === '') continue; // abstract bases
    tf.serialization.registerClass(cls);
    names.push(cls.className);
  }
  return names;
}
