// A new optimizer through tfjs-layers: compile + fit, model.save({includeOptimizer: true}),
// tf.loadLayersModel restores the optimizer (class, config and state), and training continues
// exactly as it would have without the save.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {useBackend} from '@stable-train/testing';
import {lamb, nadam, type TorchOptimizer, TorchNAdam} from '../src';

function data(): [tf.Tensor, tf.Tensor] {
  const xs = tf.tensor2d([[0, 1, 2], [1, 0, -1], [2, 2, 0], [-1, 1, 1], [0.5, -0.5, 1], [1, 1, 1]]);
  const ys = tf.tensor2d([[1], [0], [2], [-1], [0.5], [1.5]]);
  return [xs, ys];
}

async function saveLoad(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }), {includeOptimizer: true});
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('tfjs-layers: compile, fit, save with the optimizer, load, continue', () => {
  // cpu: on wasm, tfjs-layers' fused dense+relu trips tfjs's own kernel leak check in test mode
  beforeAll(() => useBackend('cpu'));

  it.each([
    ['nadam', () => nadam({lr: 0.01, weightDecay: 1e-3})],
    ['lamb', () => lamb({lr: 0.01, weightDecay: 0.01})],
  ] as const)('%s: loadLayersModel restores the optimizer with its state', async (name, make) => {
    const build = () => {
      const m = tfl.sequential({layers: [tfl.layers.dense({units: 4, inputShape: [3], activation: 'relu'}), tfl.layers.dense({units: 1})]});
      m.compile({optimizer: make(), loss: 'meanSquaredError'});
      return m;
    };
    const [xs, ys] = data();
    const model = build();
    const h = await model.fit(xs, ys, {epochs: 20, batchSize: 6, verbose: 0});
    const loss = h.history.loss as number[];
    expect(loss[19]).toBeLessThan(loss[0]);
    const loaded = await saveLoad(model);
    const opt = loaded.optimizer as TorchOptimizer;
    expect(opt.getClassName()).toBe(model.optimizer.getClassName());
    expect(opt.getConfig()).toEqual(model.optimizer.getConfig());
    expect(opt.step).toBe(20);
    if (name === 'nadam') expect(opt).toBeInstanceOf(TorchNAdam);
    // the state came back: 5 more epochs on both give the same weights as continuing the original
    await model.fit(xs, ys, {epochs: 5, batchSize: 6, verbose: 0});
    await loaded.fit(xs, ys, {epochs: 5, batchSize: 6, verbose: 0});
    const a = model.getWeights();
    const b = loaded.getWeights();
    a.forEach((w, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(w.dataSync())));
    tf.dispose([xs, ys]);
    model.optimizer.dispose();
    opt.dispose();
    model.dispose();
    loaded.dispose();
  });
});
