// tfjs-wasm 4.22 has no Conv2DBackpropFilter: conv kernel gradients are checked on cpu only.
import * as tf from '@tensorflow/tfjs-core';
import {BatchNorm, RMSNorm} from '@stable-train/batchnorm';
import {bottleneck as bottleneckModule} from '@stable-train/resnet-blocks';
import {describeBackends, expectClose} from '@stable-train/testing';
import {bottleneck} from './bottleneck';
import {weight} from '../../test/golden_layer';
import {blockVariables, expectSameAsModule} from '../../test/block_equivalence';

let n = 0;
describeBackends(['cpu', 'wasm'], (backend) => {
  it(`same numbers as the bottleneck module (stride 2 projection, Keras batch norm, gate): y, dx${backend === 'cpu' ? ', all parameter grads' : ''}, moving stats`, () => {
    const name = `bn_eq_${n++}`;
    const mod = bottleneckModule({
      name, filters: 2, inChannels: 3, stride: 2, gate: {init: 0.5}, activation: 'relu6',
      norm: (channels, nm) => new BatchNorm({channels, name: nm, convention: 'keras', momentum: 0.9, eps: 1e-3}), biasInit: (s) => tf.randomNormal(s),
    });
    const layer = bottleneck({filters: 2, strides: 2, gate: {init: 0.5}, activation: 'relu6', norm: 'batchNormalization', normMomentum: 0.9});
    const x = tf.randomNormal([2, 5, 4, 3]);
    expectSameAsModule(mod, layer, x, true, {dx: true, params: backend === 'cpu'});
    for (const [k, v] of blockVariables(mod)) {
      if (!v.trainable) expectClose(weight(layer, k).read(), v, {rtol: 1e-5, atol: 1e-6});
    }
    x.dispose();
    mod.dispose();
    layer.dispose();
  });

  it(`same numbers as the bottleneck module (identity shortcut, expansion 2, RMS norm, inference)`, () => {
    const mod = bottleneckModule({
      name: `bn_rms_${n++}`, filters: 3, expansion: 2, useBias: false,
      norm: (channels, nm) => new RMSNorm({channels, name: nm, eps: 1e-3}),
    });
    const layer = bottleneck({filters: 3, expansion: 2, useBias: false, norm: 'rmsNormalization'});
    const x = tf.randomNormal([1, 3, 3, 6]);
    expectSameAsModule(mod, layer, x, false, {dx: true, params: backend === 'cpu'});
    x.dispose();
    mod.dispose();
    layer.dispose();
  });
});

describe('bottleneck: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => bottleneck({filters: 0})).toThrow(/bottleneck: filters must be an integer >= 1, got 0/);
    expect(() => bottleneck({filters: 2, expansion: 0})).toThrow(/bottleneck: expansion must be an integer >= 1, got 0/);
    expect(() => bottleneck({filters: 2, gate: {init: NaN}})).toThrow(/bottleneck: gate must be .*got \{"init":null\}/);
    expect(() => bottleneck({filters: 2, useBias: 'no' as never})).toThrow(/bottleneck: useBias must be true or false, got "no"/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
