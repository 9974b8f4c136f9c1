// The block layers' issue-23 options (layerScale, squeezeExcite, dropPath) against the
// @stable-train/resnet-blocks modules with the same options and weights. tfjs-wasm 4.22 has no
// Conv2DBackpropFilter: conv kernel gradients are checked on cpu only.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {residualConv as residualConvModule, residualDense as residualDenseModule} from '@stable-train/resnet-blocks';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {residualConv} from './residual_conv';
import {residualDense} from './residual_dense';
import {expectSameAsModule} from '../../test/block_equivalence';

let n = 0;
describeBackends(['cpu', 'wasm'], (backend) => {
  it(`residualConv with layerScale and squeezeExcite: same numbers as the module (y, dx${backend === 'cpu' ? ', all parameter grads' : ''})`, () => {
    const mod = residualConvModule({name: `bo_conv_${n++}`, filters: 8, inChannels: 8, layerScale: 0.3, squeezeExcite: 4, biasInit: (s) => tf.randomNormal(s)});
    const layer = residualConv({filters: 8, layerScale: 0.3, squeezeExcite: 4});
    const x = tf.randomNormal([2, 4, 4, 8]);
    expectSameAsModule(mod, layer, x, true, {dx: true, params: backend === 'cpu'});
    x.dispose();
    mod.dispose();
    layer.dispose();
  });

  it('residualDense with dropPath and layerScale: inference equals the module; training drops whole samples of the branch', () => {
    const mod = residualDenseModule({name: `bo_dense_${n++}`, units: 6, layerScale: 0.5, dropPath: 0.5, biasInit: (s) => tf.randomNormal(s)});
    const layer = residualDense({units: 6, layerScale: 0.5, dropPath: 0.5});
    const x = tf.randomNormal([64, 6]);
    expectSameAsModule(mod, layer, x, false, {dx: true, params: false});
    // in training each sample keeps its branch (scaled by 1/keep) or drops it: y - x is 0 or 2·(branch)
    const yTrain = layer.apply(x, {training: true}) as tf.Tensor;
    const yEval = layer.apply(x, {training: false}) as tf.Tensor;
    const branch = tf.sub(yEval, x);
    const got = tf.sub(yTrain, x);
    const rows = got.arraySync() as number[][];
    const full = tf.mul(branch, 2).arraySync() as number[][];
    let dropped = 0;
    rows.forEach((r, i) => {
      const isZero = r.every((v) => Math.abs(v) < 1e-6);
      if (isZero) dropped++;
      else r.forEach((v, j) => expect(Math.abs(v - full[i][j])).toBeLessThan(1e-4 * (1 + Math.abs(full[i][j]))));
    });
    // rate 0.5 over 64 samples: dropped ~ Binomial(64, 0.5), mean 32, sd 4; 5 sd either side
    expect(dropped).toBeGreaterThan(12);
    expect(dropped).toBeLessThan(52);
    tf.dispose([x, yTrain, yEval, branch, got]);
    mod.dispose();
    layer.dispose();
  });

  it('the options survive model.save -> tf.loadLayersModel (identical predictions), and a fit leaks nothing', async () => {
    const model = tfl.sequential({layers: [
      tfl.layers.dense({units: 6, inputShape: [6]}),
      residualDense({units: 6, layerScale: 0.5, dropPath: 0.2}),
      tfl.layers.dense({units: 2}),
    ]});
    model.compile({optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError'});
    const x = tf.randomNormal([16, 6]);
    const y = tf.randomNormal([16, 2]);
    await model.fit(x, y, {epochs: 1, batchSize: 8, verbose: 0});
    await expectNoLeak(async () => {
      await model.fit(x, y, {epochs: 2, batchSize: 8, verbose: 0});
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const cfg = (loaded.layers[1].getConfig() as {dropPath: number; layerScale: number});
    expect([cfg.dropPath, cfg.layerScale]).toEqual([0.2, 0.5]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, y, a, b]);
    model.dispose();
    loaded.dispose();
  });
});

describe('block layer options: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => residualDense({units: 4, dropPath: 1.5})).toThrow(/residualDense: dropPath must be a number in \[0, 1\], got 1.5/);
    expect(() => residualDense({units: 4, layerScale: -1})).toThrow(/residualDense: layerScale must be a finite number > 0, got -1/);
    expect(() => residualConv({filters: 4, squeezeExcite: 0})).toThrow(/residualConv: squeezeExcite must be a finite number > 0, got 0/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('squeezeExcite on a dense block is refused at build', () => {
    const layer = residualDense({units: 4, squeezeExcite: 2});
    expect(() => layer.apply(tfl.input({shape: [4]}))).toThrow(/residualDense: squeezeExcite needs a conv block/);
  });
});
