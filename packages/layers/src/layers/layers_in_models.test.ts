// Every layer of this folder in a tf.sequential and in a functional model: builds, fits a few
// steps (training mode), predicts (inference mode), saves to memory and loads back with
// tf.loadLayersModel with identical configs and predictions; no tensor leaks over a fit of several
// epochs. Conv layers fit on cpu only: tfjs-wasm 4.22 has no Conv2DBackpropFilter (their forward
// pass and the round trip run on wasm too).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import * as layers from './index';
import {expectRoundTrip, fitFew, weightsByName} from '../../test/layer_harness';

interface Case {
  what: string;
  make: () => tfl.layers.Layer;
  input: number[]; // without the batch axis
  conv?: boolean; // trains convolutions (cpu only)
}

const CASES: Case[] = [
  {what: 'batchNormalization', make: () => layers.batchNormalization({runningVarianceConvention: 'pytorch'}), input: [6]},
  {what: 'batchRenormalization', make: () => layers.batchRenormalization({rMax: 2, dMax: 1}), input: [3, 3, 6]},
  {what: 'layerNormalization', make: () => layers.layerNormalization({axis: [-2, -1]}), input: [3, 6]},
  {what: 'groupNormalization', make: () => layers.groupNormalization({groups: 3}), input: [3, 3, 6]},
  {what: 'rmsNormalization', make: () => layers.rmsNormalization({gammaRegularizer: 'l2'}), input: [6]},
  {what: 'scalarGate', make: () => layers.scalarGate({init: 0.5}), input: [6]},
  {what: 'weightStandardizedConv2d', make: () => layers.weightStandardizedConv2d({filters: 4, kernelSize: 3, padding: 'same', activation: 'relu'}), input: [4, 4, 3], conv: true},
  {what: 'residualDense (batch norm, rezero, projection)', make: () => layers.residualDense({units: 5, hidden: 7, norm: 'batchNormalization', gate: {init: 0.3}}), input: [6]},
  {what: 'residualDense (rms norm, no gate)', make: () => layers.residualDense({units: 6, norm: 'rmsNormalization', activation: 'swish'}), input: [6]},
  {what: 'residualConv (group norm, stride 2)', make: () => layers.residualConv({filters: 4, strides: 2, norm: 'groupNormalization', normGroups: 2, gate: 'rezero'}), input: [5, 5, 2], conv: true},
  {what: 'bottleneck (batch norm, stride 2)', make: () => layers.bottleneck({filters: 2, strides: 2, norm: 'batchNormalization', gate: {init: 0.5}}), input: [4, 4, 3], conv: true},
  {what: 'bottleneck (layer norm, identity shortcut)', make: () => layers.bottleneck({filters: 2, expansion: 2, norm: 'layerNormalization'}), input: [4, 4, 4], conv: true},
];

/** A head that maps any output to 2 values, so every case trains on the same targets. */
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
        // training changed the weights (and moving statistics, where there are any)
        const changed = Object.keys(after).filter((k) => Array.from(after[k].dataSync()).join() !== Array.from(before[k].dataSync()).join());
        expect(changed.length).toBeGreaterThan(0);
        tf.dispose([...Object.values(before), ...Object.values(after)]);
      }
      const loaded = await expectRoundTrip(model, x);
      tf.dispose([x, y]);
      loaded.dispose();
      model.dispose();
    });

    it(`${c.what}: functional model (apply(symbolicTensor)) ${canFit ? 'fits, ' : ''}round-trips`, async () => {
      const input = tfl.input({shape: c.input});
      const h = c.make().apply(input) as tfl.SymbolicTensor;
      const out = head(c).reduce((t, l) => l.apply(t) as tfl.SymbolicTensor, h);
      const model = tfl.model({inputs: input, outputs: out});
      const x = tf.randomNormal([4, ...c.input]);
      const y = tf.randomNormal([4, 2]);
      if (canFit) await fitFew(model, x, y, 2, 2);
      const loaded = await expectRoundTrip(model, x);
      // the symbolic output shape is the one the layer really produces
      const p = model.predict(x) as tf.Tensor;
      expect(p.shape).toEqual([4, 2]);
      expect(h.shape.slice(1)).toEqual((model.layers[1].apply(x) as tf.Tensor).shape.slice(1));
      tf.dispose([x, y, p]);
      loaded.dispose();
      model.dispose();
    });

    if (canFit) {
      it(`${c.what}: no tensor leaks over a fit of several epochs`, async () => {
        const model = tfl.sequential({layers: [tfl.layers.inputLayer({inputShape: c.input}), c.make(), ...head(c)]});
        const x = tf.randomNormal([4, ...c.input]);
        const y = tf.randomNormal([4, 2]);
        await fitFew(model, x, y, 1, 2); // warm-up: compile, optimizer state
        await expectNoLeak(async () => {
          await model.fit(x, y, {epochs: 3, batchSize: 2, verbose: 0});
        });
        tf.dispose([x, y]);
        model.dispose();
      });
    }
  }
});
