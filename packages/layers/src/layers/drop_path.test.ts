import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {dropPath as dropPathOp} from '@stable-train/resnet-blocks';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {dropPath} from './drop_path';

describeBackends(['cpu', 'wasm'], () => {
  it('training: the same mask and scaling as resnet-blocks dropPath with seed + k at call k; gradient = mask / keep', () => {
    const layer = dropPath({rate: 0.4, seed: 11});
    const x = tf.randomNormal([16, 3, 2]);
    for (let k = 0; k < 3; k++) {
      const y = layer.apply(x, {training: true}) as tf.Tensor;
      const ref = dropPathOp(x, {rate: 0.4, training: true, seed: 11 + k});
      expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
      tf.dispose([y, ref]);
    }
    // gradient of sum(y * up): up * mask / keep, the op's own gradient with the same seed
    const up = tf.randomNormal([16, 3, 2]);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, {training: true}) as tf.Tensor, up)))(x);
    const dref = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(dropPathOp(a, {rate: 0.4, training: true, seed: 11 + 3}), up)))(x);
    expectClose(dx, dref, {rtol: 0, atol: 0});
    tf.dispose([x, up, dx, dref]);
    layer.dispose();
  });

  it('inference (no training flag): identity', () => {
    const layer = dropPath({rate: 0.9, seed: 1});
    const x = tf.randomNormal([8, 4]);
    const y = layer.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });

  it('statistics: kept fraction and scaling over 4000 samples (rate 0.25)', () => {
    // each sample kept with p = 0.75; kept fraction over n = 4000 has sd sqrt(p(1-p)/n) ≈ 0.0068,
    // so |frac - 0.75| < 0.035 is a > 5 sd bound; a kept sample equals x / 0.75 exactly (up to f32)
    const layer = dropPath({rate: 0.25, seed: 3});
    const x = tf.ones([4000, 2]);
    const y = layer.apply(x, {training: true}) as tf.Tensor;
    const v = y.dataSync();
    let kept = 0;
    for (let i = 0; i < 4000; i++) {
      expect(v[2 * i]).toBe(v[2 * i + 1]); // one draw per sample
      if (v[2 * i] !== 0) {
        kept++;
        expect(Math.abs(v[2 * i] - 1 / 0.75)).toBeLessThan(1e-6);
      }
    }
    expect(Math.abs(kept / 4000 - 0.75)).toBeLessThan(0.035);
    tf.dispose([x, y]);
  });

  it('fit trains with the branch dropped (rate 1: no gradient reaches the layer before), predict passes it through', async () => {
    const before = tfl.layers.dense({units: 3, inputShape: [4], kernelInitializer: 'ones', useBias: false});
    const model = tfl.sequential({layers: [before, dropPath({rate: 1}), tfl.layers.dense({units: 1})]});
    model.compile({optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError'});
    const x = tf.randomNormal([8, 4]);
    const y = tf.randomNormal([8, 1]);
    await model.fit(x, y, {epochs: 2, batchSize: 4, verbose: 0});
    const k = before.getWeights()[0];
    expect(Array.from(k.dataSync())).toEqual(new Array(12).fill(1)); // zero gradient in training
    const p = model.predict(x) as tf.Tensor;
    const noBranch = model.layers[2].apply(tf.zeros([8, 3])) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(p, noBranch)))).dataSync()[0]).toBeGreaterThan(0); // identity in predict
    tf.dispose([x, y, p, noBranch]);
    model.dispose();
  });

  it('no tensor leaks per call', () => {
    const layer = dropPath({rate: 0.3});
    const x = tf.randomNormal([4, 3]);
    expectNoLeak(() => {
      tf.dispose(layer.apply(x, {training: true}) as tf.Tensor);
      tf.dispose(layer.apply(x) as tf.Tensor);
    });
    x.dispose();
  });
});

describe('dropPath: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => dropPath({rate: 1.2})).toThrow(/dropPath: rate must be a number in \[0, 1\], got 1.2/);
    expect(() => dropPath({rate: -0.1})).toThrow(/dropPath: rate must be a number in \[0, 1\], got -0.1/);
    expect(() => dropPath({seed: NaN})).toThrow(/dropPath: seed must be a finite number, got NaN/);
    expect(() => dropPath('0.1' as never)).toThrow(/dropPath: args must be an object, got "0.1"/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
