import * as tf from '@tensorflow/tfjs-core';

/**
 * Registers `cls` with `tf.serialization` (under its static `className`) unless that exact class
 * is registered already, so that calling it on every optimizer built costs one map lookup.
 * Internal: the optimizer factories and {@link registerOptimizers} use it.
 * @param cls a `tf.serialization.Serializable` class with a static `className`
 */
export function registerOnce(cls: tf.serialization.SerializableConstructor<tf.serialization.Serializable>): void {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[cls.className];
  if (entry?.[0] !== cls) tf.serialization.registerClass(cls);
}
