// Issue 19: importing the package registers nothing; ClippedOptimizer is registered for
// tf.loadLayersModel by registerClippedOptimizer(), by `import '@stable-train/grad-clip/register'`,
// or by withClipping itself (so save → load in one process needs no extra step).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {expectNoLeak, useBackend} from '@stable-train/testing';
import * as gradClip from './index';
import {ClippedOptimizer, createClipper, registerClippedOptimizer, withClipping} from './index';

const classNameMap = () => tf.serialization.SerializationMap.getMap().classNameMap;
/** What a fresh process (one that never registered the class) sees. */
const forget = () => delete classNameMap().ClippedOptimizer;

async function saveAndLoad(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }), {includeOptimizer: true});
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('ClippedOptimizer registration', () => {
  beforeAll(() => useBackend('cpu'));

  it('importing the package registers nothing', () => {
    expect(Object.keys(gradClip)).toContain('clipByGlobalNorm');
    expect(classNameMap().ClippedOptimizer).toBeUndefined();
  });

  it('registerClippedOptimizer registers the class, and a second call changes nothing', () => {
    registerClippedOptimizer();
    const entry = classNameMap().ClippedOptimizer;
    expect(entry?.[0]).toBe(ClippedOptimizer);
    registerClippedOptimizer();
    expect(classNameMap().ClippedOptimizer).toBe(entry);
    forget();
  });

  it("import '@stable-train/grad-clip/register' registers it", () => {
    expect(classNameMap().ClippedOptimizer).toBeUndefined();
    require('@stable-train/grad-clip/register');
    expect(classNameMap().ClippedOptimizer?.[0]).toBe(ClippedOptimizer);
    forget();
  });

  it('withClipping registers it: save → tf.loadLayersModel in the same process needs no register import', async () => {
    expect(classNameMap().ClippedOptimizer).toBeUndefined();
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 2, inputShape: [3], kernelInitializer: 'ones'})]});
    model.compile({optimizer: withClipping(tf.train.adam(0.01), createClipper({mode: 'globalNorm', maxNorm: 1})), loss: 'meanSquaredError'});
    expect(classNameMap().ClippedOptimizer?.[0]).toBe(ClippedOptimizer);
    const x = tf.ones([4, 3]);
    const y = tf.zeros([4, 2]);
    await model.fit(x, y, {epochs: 1, batchSize: 4, verbose: 0});
    const loaded = await saveAndLoad(model);
    expect(loaded.optimizer).toBeInstanceOf(ClippedOptimizer);
    expect(JSON.parse((loaded.optimizer as ClippedOptimizer).getConfig().clipper as string)).toEqual([{mode: 'globalNorm', maxNorm: 1}]);
    await loaded.fit(x, y, {epochs: 1, batchSize: 4, verbose: 0});
    expect(loaded.optimizer.iterations).toBe(2); // the step count came back with the weights
    tf.dispose([x, y]);
    model.optimizer.dispose();
    loaded.optimizer.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('registering makes no tensor', () => {
    forget();
    expectNoLeak(() => registerClippedOptimizer());
  });
});
