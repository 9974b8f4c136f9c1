// Test helpers shared by this package's tests (not exported from the package).
import * as tf from '@tensorflow/tfjs-core';
import type {Module} from './types';

let counter = 0;

/** A tiny two-layer tanh model `[in] → [hidden] → [out]`, seeded, with unique variable names. */
export function tinyModel(inp = 4, hidden = 8, out = 3, seed = 1, std = 0.5): Module & {inputShape: number[]} {
  const p = `tiny${counter++}`;
  const w1 = tf.variable(tf.randomNormal([inp, hidden], 0, std, 'float32', seed), true, `${p}/dense1/kernel`);
  const b1 = tf.variable(tf.zeros([hidden]), true, `${p}/dense1/bias`);
  const w2 = tf.variable(tf.randomNormal([hidden, out], 0, std, 'float32', seed + 1), true, `${p}/dense2/kernel`);
  const b2 = tf.variable(tf.zeros([out]), true, `${p}/dense2/bias`);
  return {
    inputShape: [inp],
    variables: [w1, b1, w2, b2],
    apply: (x) => tf.tidy(() => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2), b2)),
    dispose: () => tf.dispose([w1, b1, w2, b2]),
  };
}

/** A fixed classification batch for `tinyModel`. */
export function tinyBatch(n = 8, inp = 4, classes = 3, seed = 7): {x: tf.Tensor; y: tf.Tensor} {
  return tf.tidy(() => {
    const x = tf.randomNormal([n, inp], 0, 1, 'float32', seed);
    const y = tf.tensor1d(Array.from({length: n}, (_, i) => i % classes), 'int32');
    return {x, y};
  });
}

/** Counts host reads (`dataSync`/`data` on any tensor, through the engine) while `fn` runs. */
export async function countReads(fn: () => Promise<void>): Promise<number> {
  const b: {readSync: (...a: unknown[]) => unknown; read: (...a: unknown[]) => unknown} = Object(tf.engine());
  const rs = b.readSync;
  const r = b.read;
  let n = 0;
  b.readSync = function (...a: unknown[]) { n++; return rs.apply(this, a); };
  b.read = function (...a: unknown[]) { n++; return r.apply(this, a); };
  try {
    await fn();
  } finally {
    b.readSync = rs;
    b.read = r;
  }
  return n;
}
