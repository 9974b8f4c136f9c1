import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Saves a model (with its optimizer) to memory and returns the artifacts. */
export async function saveToMemory(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }),
    {includeOptimizer: true},
  );
  return saved!;
}

/** Saves and reloads a model through memory (`model.save` → `tf.loadLayersModel`). */
export async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  // JSON text in between, as a file would hold it
  const a = await saveToMemory(model);
  const copy = {...a, modelTopology: JSON.parse(JSON.stringify(a.modelTopology)), trainingConfig: JSON.parse(JSON.stringify(a.trainingConfig))};
  return tfl.loadLayersModel(tf.io.fromMemory(copy));
}

/** A small MLP 4 → 8 (relu) → 2 with fixed initial weights (seeded). */
export function tinyModel(seed = 1): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({units: 8, inputShape: [4], activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({seed})}));
  m.add(tfl.layers.dense({units: 2, kernelInitializer: tfl.initializers.glorotUniform({seed: seed + 1})}));
  return m;
}

/** A fixed regression batch: x [n, 4], y [n, 2]. */
export function tinyData(n = 16, seed = 3): {x: tf.Tensor; y: tf.Tensor} {
  return tf.tidy(() => {
    const x = tf.randomNormal([n, 4], 0, 1, 'float32', seed);
    const y = tf.concat([tf.sum(x, 1, true), tf.mul(tf.slice(x, [0, 0], [n, 1]), 2)], 1);
    return {x, y};
  });
}

/** Every weight of the model as plain arrays. */
export async function weightsOf(model: tfl.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

/** tfjs's own per-kernel leak check misfires on stock wasm kernels inside tfjs-layers: off there. */
export function layersOnBackend(backend: string): void {
  if (backend === 'wasm') tf.env().set('IS_TEST', false);
}

/** Records the first weight's values (and optionally the optimizer lr) after every batch and epoch. */
export class Recorder extends tfl.Callback {
  batches: number[][] = [];
  epochs: number[][] = [];
  override async onBatchEnd(): Promise<void> {
    this.batches.push(Array.from(this.model.getWeights()[0].dataSync()));
  }
  override async onEpochEnd(): Promise<void> {
    this.epochs.push(Array.from(this.model.getWeights()[0].dataSync()));
  }
}

/** One weight w (dense, 1 unit, no bias, w0 = `w0`): with x = 1 and y = 0 the MSE loss is w², its gradient 2w. */
export function scalarModel(w0 = 1): tfl.Sequential {
  return tfl.sequential({layers: [tfl.layers.dense({units: 1, inputShape: [1], useBias: false, kernelInitializer: tfl.initializers.constant({value: w0})})]});
}
