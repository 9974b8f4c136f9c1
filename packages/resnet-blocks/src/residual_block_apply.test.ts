import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {bottleneck, bottleneckSpec} from './bottleneck';
import {residualBlockApply, residualBlockWeights} from './residual_block_apply';
import {residualConvSpec} from './residual_conv';
import {residualDense, residualDenseSpec} from './residual_dense';
import {resolveActivation} from './resolve_activation';

describeBackends(['cpu', 'wasm'], () => {
  it('residualBlockWeights lists the module variables (names inside the block, same order)', () => {
    const m = residualDense({name: 'rba_names', units: 3, inputUnits: 5, gate: 'rezero'});
    const spec = residualDenseSpec({name: 'rba_names', units: 3, inputUnits: 5, gate: 'rezero'});
    expect(residualBlockWeights(spec).map((w) => [`rba_names/${w.name}`, w.shape])).toEqual(m.variables.map((v) => [v.name, v.shape]));
    m.dispose();
  });

  it('with explicit weights it computes what the module computes (bottleneck, stride 2, projection, gate)', async () => {
    const opts = {name: 'rba_bn', filters: 2, inChannels: 3, stride: 2, gate: {init: 0.3}, biasInit: (s: number[]) => tf.randomNormal(s)};
    const m = bottleneck(opts);
    const weights: tf.NamedTensorMap = {};
    for (const v of m.variables) weights[v.name.slice('rba_bn/'.length)] = v;
    const x = tf.randomNormal([2, 5, 5, 3]);
    await expectNoLeak(() => {
      const a = m.apply(x, {training: true});
      const b = residualBlockApply(bottleneckSpec(opts), x, weights, {activation: resolveActivation('relu', 'test')});
      expectClose(b, a, {rtol: 0, atol: 0});
      return [a, b];
    });
    x.dispose();
    m.dispose();
  });
});

describe('residualBlockApply / *Spec: bad input', () => {
  it('a missing weight is named', () => {
    const spec = residualDenseSpec({name: 'rba_missing', units: 2});
    const x = tf.zeros([1, 2]);
    expect(() => residualBlockApply(spec, x, {}, {activation: (t) => t})).toThrow(/residualBlockApply: weights\['dense1\/kernel'\] must be a float32 tensor/);
    x.dispose();
  });
  it('the Spec functions validate like the factories, before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => residualConvSpec({name: 'rba_bad', filters: 0})).toThrow(/residualConv\(rba_bad\): filters must be an integer >= 1, got 0/);
    expect(() => residualDenseSpec({name: '', units: 2})).toThrow(/residualDense: name must be a non-empty string/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
