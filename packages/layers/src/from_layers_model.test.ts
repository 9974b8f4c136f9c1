import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {createClipper} from '@stable-train/grad-clip';
import {adam} from '@stable-train/lr-schedule';
// devDependency only: jest maps `stable-train` to its src
import {Trainer} from 'stable-train';
import {fromLayersModel} from './from_layers_model';

describeBackends(['cpu', 'wasm'], (backend) => {
  beforeAll(() => {
    if (backend === 'wasm') tf.env().set('IS_TEST', false);
  });

  it('exposes apply/variables/dispose: trainable first, moving statistics with trainable false', () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 3, inputShape: [2]}), tfl.layers.batchNormalization(), tfl.layers.dense({units: 2})]});
    const m = fromLayersModel(model);
    expect(m.variables.map((v) => v.trainable)).toEqual([true, true, true, true, true, true, false, false]);
    expect(m.variables.every((v) => v instanceof tf.Variable)).toBe(true);
    const x = tf.ones([4, 2]);
    const [a, b] = [m.apply(x), model.predict(x) as tf.Tensor];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
    m.dispose();
  });

  it("the umbrella's Trainer trains a tf.layers model in place (loss falls, no leak per step)", async () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 8, inputShape: [4], activation: 'relu', kernelInitializer: tfl.initializers.heNormal({seed: 1})}), tfl.layers.dense({units: 3, kernelInitializer: tfl.initializers.glorotUniform({seed: 2})})]});
    const m = fromLayersModel(model);
    const trainer = new Trainer({model: m, optimizer: adam({lr: 0.05}), transforms: [createClipper({mode: 'globalNorm', maxNorm: 1})], logEvery: 0});
    const x = tf.randomNormal([24, 4], 0, 1, 'float32', 5);
    const y = tf.tidy(() => tf.cast(tf.argMax(tf.slice(x, [0, 0], [24, 3]), 1), 'int32'));
    const w0 = Array.from(await model.getWeights()[0].data());
    const first = await trainer.step({x, y});
    for (let i = 0; i < 3; i++) await trainer.step({x, y});
    await expectNoLeak(async () => {
      for (let i = 0; i < 15; i++) await trainer.step({x, y});
    });
    const last = await trainer.step({x, y});
    expect(last.loss!).toBeLessThan(first.loss! * 0.8);
    expect(Array.from(await model.getWeights()[0].data())).not.toEqual(w0);
    tf.dispose([x, y]);
    trainer.dispose?.();
    m.dispose();
  });
});

describe('fromLayersModel arguments', () => {
  it('rejects what is not a LayersModel, before any tensor', () => {
    const n = tf.memory().numTensors;
    expect(() => fromLayersModel({apply: () => 1} as never)).toThrow('fromLayersModel: model must be a tf.LayersModel (tf.sequential, tf.model or a loaded model), got Object');
    expect(() => fromLayersModel(undefined as never)).toThrow(/got undefined/);
    expect(tf.memory().numTensors).toBe(n);
  });
});
