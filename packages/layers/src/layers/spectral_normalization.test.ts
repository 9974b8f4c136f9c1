import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as st from '@stable-train/regularizers';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {spectralNormalization} from './spectral_normalization';

/** Largest singular value of a kernel flattened to [∏shape[:-1], out], by 200 power iterations (float32). */
function sigmaMax(w: tf.Tensor): number {
  return tf.tidy(() => {
    const out = w.shape[w.rank - 1];
    const w2 = tf.reshape(w, [w.size / out, out]);
    let u: tf.Tensor = tf.ones([out, 1]);
    for (let i = 0; i < 200; i++) u = tf.div(tf.matMul(tf.transpose(w2), tf.matMul(w2, u)), tf.norm(u));
    return Math.sqrt(tf.norm(u).dataSync()[0]);
  });
}

function denseSn(seed: number): {sn: ReturnType<typeof spectralNormalization>; model: tfl.Sequential} {
  const sn = spectralNormalization({
    layer: tfl.layers.dense({units: 5, kernelInitializer: tfl.initializers.randomNormal({stddev: 2, seed})}),
    inputShape: [7],
    powerIterations: 2,
    seed: 3,
  });
  return {sn, model: tfl.sequential({layers: [sn]})};
}

describeBackends(['cpu', 'wasm'], () => {
  it('gives the technique spectralNorm numbers: training updates u and uses W/σ, inference keeps u', () => {
    const {sn, model} = denseSn(1);
    const [kernel, bias, u0, v0] = sn.getWeights().map((t) => t.clone());
    expect(sn.trainableWeights.map((w) => w.originalName)).toEqual([`${sn.name}/kernel`, `${sn.name}/bias`]); // built in the wrapper's name scope
    expect(sn.nonTrainableWeights.map((w) => w.originalName)).toEqual([`${sn.name}/sn_u`, `${sn.name}/sn_v`]);
    // the reference: the technique with the same options and seed on the same initial kernel
    const ref = st.spectralNorm({iterations: 2, seed: 3});
    tf.dispose(ref.sigma(kernel));
    const s0 = ref.getState()!;
    expect(Array.from(u0.dataSync())).toEqual(Array.from(s0.u.dataSync()));
    const x = tf.randomNormal([4, 7], 0, 1, 'float32', 9);

    const yEval = model.predict(x) as tf.Tensor;
    const wEval = ref.apply(kernel, {training: false});
    expectClose(yEval, tf.add(tf.matMul(x, wEval), bias), {rtol: 1e-5, atol: 1e-6});
    expect(Array.from(sn.getWeights()[2].dataSync())).toEqual(Array.from(u0.dataSync())); // inference: u unchanged

    const yTrain = sn.apply(x, {training: true}) as tf.Tensor;
    const wTrain = ref.apply(kernel, {training: true});
    expectClose(yTrain, tf.add(tf.matMul(x, wTrain), bias), {rtol: 1e-5, atol: 1e-6});
    const s1 = ref.getState()!;
    expectClose(sn.getWeights()[2], s1.u, {rtol: 1e-5, atol: 1e-6}); // training: u updated as the technique's
    expectClose(sn.getWeights()[3], s1.v, {rtol: 1e-5, atol: 1e-6});
    // after its power iterations the used kernel has spectral norm ~1
    expect(Math.abs(sigmaMax(wTrain) - 1)).toBeLessThan(1e-3);
    tf.dispose([kernel, bias, u0, v0, s0.u, s0.v, s1.u, s1.v, x, yEval, wEval, yTrain, wTrain]);
    ref.dispose();
    model.dispose();
  });

  it('in a tf.sequential: fit trains u and the kernel; the normalised kernel keeps spectral norm ~1; predict leaves u alone', async () => {
    const {sn, model} = denseSn(4);
    model.add(tfl.layers.dense({units: 1}));
    model.compile({optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError'});
    const x = tf.randomNormal([32, 7], 0, 1, 'float32', 6);
    const y = tf.randomNormal([32, 1], 0, 1, 'float32', 7);
    const [k0, , u0] = sn.getWeights().map((t) => t.dataSync().slice());
    await model.fit(x, y, {epochs: 1, batchSize: 8, verbose: 0});
    const before = tf.memory().numTensors;
    await model.fit(x, y, {epochs: 3, batchSize: 8, verbose: 0});
    expect(tf.memory().numTensors).toBe(before); // no leak over a fit of several epochs
    const [k1, , u1] = sn.getWeights();
    expect(Array.from(k1.dataSync())).not.toEqual(Array.from(k0));
    expect(Array.from(u1.dataSync())).not.toEqual(Array.from(u0));
    const uAfterFit = u1.dataSync().slice();
    const p = model.predict(x) as tf.Tensor;
    expect(Array.from(sn.getWeights()[2].dataSync())).toEqual(Array.from(uAfterFit));
    // σ(W)/σ̂ of the kernel the layer uses at inference: 1 up to the power iteration's lag
    const [w, , uu, vv] = sn.getWeights();
    const sigmaHat = tf.tidy(() => tf.sum(tf.mul(tf.matMul(tf.reshape(vv, [1, -1]), w), tf.reshape(uu, [1, -1]))).dataSync()[0]);
    expect(Math.abs(sigmaMax(w) / sigmaHat - 1)).toBeLessThan(0.02);
    tf.dispose([x, y, p]);
    model.dispose();
  });

  it('wraps a conv2d; fits (gradient through σ) and save → loadLayersModel round-trips config, u and predictions, leak-free', async () => {
    const inp = tfl.input({shape: [6, 6, 2]});
    const c = spectralNormalization({layer: tfl.layers.conv2d({filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotNormal({seed: 1})}), seed: 0}).apply(inp) as tfl.SymbolicTensor;
    const f = tfl.layers.flatten().apply(c) as tfl.SymbolicTensor;
    const out = spectralNormalization({layer: tfl.layers.dense({units: 2, kernelInitializer: tfl.initializers.glorotNormal({seed: 2})})}).apply(f) as tfl.SymbolicTensor;
    const model = tfl.model({inputs: inp, outputs: out});
    model.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
    const x = tf.randomNormal([8, 6, 6, 2], 0, 1, 'float32', 4);
    const y = tf.randomNormal([8, 2], 0, 1, 'float32', 5);
    const snDense = model.layers[3];
    const uBefore = snDense.getWeights()[2].dataSync().slice();
    const kBefore = snDense.getWeights()[0].dataSync().slice();
    const dense = () => model.layers[3];
    if (tf.getBackend() === 'cpu') {
      // stock tfjs-backend-wasm 4.22 has no conv2d gradient kernels: fit on cpu
      await model.fit(x, y, {epochs: 1, batchSize: 4, verbose: 0});
      const before = tf.memory().numTensors; // Adam's slots now exist
      await model.fit(x, y, {epochs: 3, batchSize: 4, verbose: 0});
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(dense().getWeights()[2].dataSync())).not.toEqual(Array.from(uBefore)); // u trained
      expect(Array.from(dense().getWeights()[0].dataSync())).not.toEqual(Array.from(kBefore)); // kernel got gradients
    }
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    expect(JSON.stringify(saved!.modelTopology)).toContain('"StableTrainSpectralNormalization"');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.toJSON(null, false)).toEqual(model.toJSON(null, false));
    const p1 = model.predict(x) as tf.Tensor;
    const p2 = loaded.predict(x) as tf.Tensor;
    expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
    expect(Array.from(loaded.layers[3].getWeights()[2].dataSync())).toEqual(Array.from(dense().getWeights()[2].dataSync()));
    await expectNoLeak(() => loaded.predict(x));
    tf.dispose([x, y, p1, p2]);
    model.dispose();
    loaded.dispose();
  });
});

describe('spectralNormalization bad input', () => {
  it('names the argument, before any tensor is made', () => {
    const n = tf.memory().numTensors;
    expect(() => spectralNormalization({} as never)).toThrow('spectralNormalization: layer must be a tf.layers.Layer, got undefined');
    expect(() => spectralNormalization({layer: tfl.layers.dense({units: 2}), powerIterations: 0})).toThrow('spectralNormalization: powerIterations must be an integer >= 1, got 0');
    expect(() => spectralNormalization({layer: tfl.layers.dense({units: 2}), eps: -1})).toThrow('spectralNormalization: eps must be a finite number > 0, got -1');
    const noKernel = spectralNormalization({layer: tfl.layers.flatten()});
    expect(() => noKernel.apply(tfl.input({shape: [3, 3]}))).toThrow(/spectralNormalization: the wrapped layer .* \(Flatten\) has no kernel to normalise/);
    expect(tf.memory().numTensors).toBe(n);
  });
});
