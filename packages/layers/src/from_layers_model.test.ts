import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {createClipper} from '@stable-train/grad-clip';
import {adam} from '@stable-train/lr-schedule';
// devDependency only: jest maps `stable-train` to its src
import {ArrayDataset, Trainer} from 'stable-train';
import {fromLayersModel} from './from_layers_model';
import {updateBatchNormStats} from './update_batch_norm_stats';

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

describe('fromLayersModel in the Trainer with weight averaging', () => {
  it('trainer.evaluate with the averaged weights recomputes the batch-norm statistics of the tf.layers model, then puts the live ones back', async () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 6, inputShape: [4], kernelInitializer: tfl.initializers.glorotUniform({seed: 3})}), tfl.layers.batchNormalization(), tfl.layers.dense({units: 3, kernelInitializer: tfl.initializers.glorotUniform({seed: 4})})]});
    const m = fromLayersModel(model);
    const optimizer = adam({lr: 0.05});
    const trainer = new Trainer({model: m, optimizer, logEvery: 0, averaging: {kind: 'swa', every: 2}});
    const xs = Float32Array.from({length: 32 * 4}, (_, i) => Math.sin(i * 0.7));
    const data = new ArrayDataset({x: xs, y: Int32Array.from({length: 32}, (_, i) => i % 3), inputShape: [4], numClasses: 3});
    await trainer.fit(data, {batchSize: 8, steps: 8});
    const live = model.getWeights().map((w) => Array.from(w.dataSync()));
    const avg = await trainer.evaluate(data, {weights: 'averaged', batchNormData: data, batchSize: 8});
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(live);
    // by hand: the average in, @stable-train/layers' updateBatchNormStats over the same batches of 8, then evaluate
    trainer.averaging!.averager.copyTo(trainer.params);
    const x = tf.tensor2d(xs, [32, 4]);
    expect(await updateBatchNormStats(model, x, {batchSize: 8})).toBe(1);
    expect((await trainer.evaluate(data, {batchSize: 8})).loss).toBeCloseTo(avg.loss, 6);
    x.dispose();
    trainer.dispose();
    optimizer.dispose();
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
