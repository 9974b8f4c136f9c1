// The issue-23 layers (instanceNormalization, frozenBatchNormalization, dropPath, layerScale,
// squeezeExcite, weightNormalization) in a tf.sequential and in a functional model: fit a few
// steps (training mode), predict (inference mode), save to memory and load back with
// tf.loadLayersModel with identical configs and predictions; no tensor leaks over a fit of
// several epochs. Conv layers fit on cpu only (tfjs-wasm 4.22 has no Conv2DBackpropFilter).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {dropPath} from './drop_path';
import {frozenBatchNormalization} from './frozen_batch_normalization';
import {instanceNormalization} from './instance_normalization';
import {layerScale} from './layer_scale';
import {squeezeExcite} from './squeeze_excite';
import {weightNormalization} from './weight_normalization';
import {expectRoundTrip, fitFew, weightsByName} from '../../test/layer_harness';

interface Case {
  what: string;
  make: () => tfl.layers.Layer;
  input: number[]; // without the batch axis
  conv?: boolean; // trains convolutions (cpu only)
}

const CASES: Case[] = [
  {what: 'instanceNormalization (running stats)', make: () => instanceNormalization({trackRunningStats: true}), input: [3, 3, 4]},
  {what: 'instanceNormalization (PyTorch defaults)', make: () => instanceNormalization({center: false, scale: false, epsilon: 1e-5}), input: [5, 4]},
  {what: 'frozenBatchNormalization', make: () => frozenBatchNormalization(), input: [6]},
  {what: 'dropPath', make: () => dropPath({rate: 0.3, seed: 1}), input: [6]},
  {what: 'layerScale', make: () => layerScale({initValue: 0.1, gammaRegularizer: 'l2'}), input: [6]},
  {what: 'squeezeExcite', make: () => squeezeExcite({ratio: 2}), input: [3, 3, 4]},
  {what: 'weightNormalization(dense)', make: () => weightNormalization({layer: tfl.layers.dense({units: 5, activation: 'relu'})}), input: [6]},
  {what: 'weightNormalization(conv2d, axis null)', make: () => weightNormalization({layer: tfl.layers.conv2d({filters: 3, kernelSize: 2}), axis: null}), input: [4, 4, 2], conv: true},
];

const head = (c: Case) => [...(c.input.length > 1 ? [tfl.layers.flatten()] : []), tfl.layers.dense({units: 2})];

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const c of CASES) {
    const canFit = backend === 'cpu' || !c.conv;
    it(`${c.what}: tf.sequential ${canFit ? 'fits, ' : ''}round-trips through save / loadLayersModel`, async () => {
      const model = tfl.sequential({layers: [tfl.layers.inputLayer({inputShape: c.input}), c.make(), ...head(c)]});
      const x = tf.randomNormal([4, ...c.input]);
      const y = tf.randomNormal([4, 2]);
      if (canFit) {
        const before = weightsByName(model);
        await fitFew(model, x, y, 2, 2);
        const after = weightsByName(model);
        const changed = Object.keys(after).filter((k) => Array.from(after[k].dataSync()).join() !== Array.from(before[k].dataSync()).join());
        expect(changed.length).toBeGreaterThan(0);
        tf.dispose([...Object.values(before), ...Object.values(after)]);
      }
      const loaded = await expectRoundTrip(model, x);
      tf.dispose([x, y]);
      loaded.dispose();
      model.dispose();
    });

    it(`${c.what}: functional model ${canFit ? 'fits, ' : ''}round-trips`, async () => {
      const input = tfl.input({shape: c.input});
      const h = c.make().apply(input) as tfl.SymbolicTensor;
      const out = head(c).reduce((t, l) => l.apply(t) as tfl.SymbolicTensor, h);
      const model = tfl.model({inputs: input, outputs: out});
      const x = tf.randomNormal([4, ...c.input]);
      const y = tf.randomNormal([4, 2]);
      if (canFit) await fitFew(model, x, y, 2, 2);
      const loaded = await expectRoundTrip(model, x);
      const real = model.layers[1].apply(x) as tf.Tensor;
      expect(h.shape.slice(1)).toEqual(real.shape.slice(1));
      tf.dispose([x, y, real]);
      loaded.dispose();
      model.dispose();
    });

    if (canFit) {
      it(`${c.what}: no tensor leaks over a fit of several epochs`, async () => {
        const model = tfl.sequential({layers: [tfl.layers.inputLayer({inputShape: c.input}), c.make(), ...head(c)]});
        const x = tf.randomNormal([4, ...c.input]);
        const y = tf.randomNormal([4, 2]);
        await fitFew(model, x, y, 1, 2);
        await expectNoLeak(async () => {
          await model.fit(x, y, {epochs: 3, batchSize: 2, verbose: 0});
        });
        tf.dispose([x, y]);
        model.dispose();
      });
    }
  }

  it('layerScale with two inputs (x + γ ⊙ f(x)) in a functional model: fits, round-trips', async () => {
    const input = tfl.input({shape: [6]});
    const fx = tfl.layers.dense({units: 6, activation: 'relu'}).apply(input) as tfl.SymbolicTensor;
    const y0 = layerScale({initValue: 0.1}).apply([input, fx]) as tfl.SymbolicTensor;
    const model = tfl.model({inputs: input, outputs: tfl.layers.dense({units: 2}).apply(y0) as tfl.SymbolicTensor});
    const x = tf.randomNormal([4, 6]);
    const y = tf.randomNormal([4, 2]);
    await fitFew(model, x, y, 2, 2);
    const loaded = await expectRoundTrip(model, x);
    tf.dispose([x, y]);
    loaded.dispose();
    model.dispose();
  });

  it('instanceNormalization: fit moves the running statistics, predict uses them and moves nothing', async () => {
    const norm = instanceNormalization({trackRunningStats: true, center: false, scale: false});
    const model = tfl.sequential({layers: [tfl.layers.inputLayer({inputShape: [3, 3, 2]}), norm, tfl.layers.flatten(), tfl.layers.dense({units: 1})]});
    const x = tf.add(tf.mul(tf.randomNormal([4, 3, 3, 2]), 3), 5);
    const y = tf.randomNormal([4, 1]);
    await fitFew(model, x, y, 1, 4);
    const mm = Array.from(norm.getWeights()[0].dataSync());
    expect(mm.some((m) => m !== 0)).toBe(true);
    const p1 = model.predict(x) as tf.Tensor;
    expect(Array.from(norm.getWeights()[0].dataSync())).toEqual(mm);
    // inference normalises with the running statistics, not the instance ones: differs from training mode
    const tr = norm.apply(x, {training: false}) as tf.Tensor;
    const inst = instanceNormalization({center: false, scale: false}).apply(x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(tr, inst)))).dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([x, y, p1, tr, inst]);
    model.dispose();
  });
});
