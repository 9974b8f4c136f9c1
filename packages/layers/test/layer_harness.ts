// Test helpers for the tf.layers layers: build a model around one layer, fit it, save it to
// memory and load it back (tf.io.withSaveHandler / tf.io.fromMemory).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {expectClose} from '@stable-train/testing';

/** Saves `model` (weights and topology) to memory and loads it back with tf.loadLayersModel. */
export async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

/** Compiles with SGD + MSE and fits `epochs` epochs on (x, y), batch size `batchSize`, silently. */
export async function fitFew(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, epochs = 2, batchSize = 4): Promise<void> {
  if (!model.optimizer) model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError'});
  const h = await model.fit(x, y, {epochs, batchSize, verbose: 0, shuffle: false});
  for (const l of h.history.loss) expect(Number.isFinite(l as number)).toBe(true);
}

/**
 * The round trip's checks: same layer configs (class names included), same weights by name and
 * identical predictions; returns the loaded model (the caller disposes it).
 */
export async function expectRoundTrip(model: tfl.LayersModel, x: tf.Tensor): Promise<tfl.LayersModel> {
  const loaded = await roundTrip(model);
  const cfg = (m: tfl.LayersModel) => m.layers.map((l) => [l.getClassName(), JSON.stringify(l.getConfig())]);
  expect(cfg(loaded)).toEqual(cfg(model));
  const names = (m: tfl.LayersModel) => m.weights.map((w) => w.originalName);
  expect(names(loaded)).toEqual(names(model));
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  tf.dispose([a, b]);
  return loaded;
}

/** Copies of every weight of `model`, keyed by original name (the caller disposes them). */
export function weightsByName(model: tfl.LayersModel | tfl.layers.Layer): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const w of model.weights) out[w.originalName] = tf.clone(w.read());
  return out;
}

/** Asserts the two maps hold the same names and (bit-identical or close) values. */
export function expectSameWeights(a: tf.NamedTensorMap, b: tf.NamedTensorMap, exact = true): void {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(a)) {
    if (exact) expect([k, Array.from(a[k].dataSync())]).toEqual([k, Array.from(b[k].dataSync())]);
    else expectClose(a[k], b[k]);
  }
}
