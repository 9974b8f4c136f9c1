import * as tf from '@tensorflow/tfjs-core';
import {describeBackends} from '@stable-train/testing';
import {BatchNorm} from '@stable-train/batchnorm';
import {residualCnn} from './residual_cnn';
import {residualMlp} from './residual_mlp';

// the injected norm: @stable-train/batchnorm (PyTorch conventions, eps 1e-5)
const batchNorm = (channels: number, name: string) => new BatchNorm({channels, name});

describeBackends(['cpu', 'wasm'], () => {
  it('builds basic stages: names, strides, projections, output shape', () => {
    const net = residualCnn({name: 'cnn', inChannels: 3, stages: [{filters: 4, blocks: 2}, {filters: 6, blocks: 1}], norm: batchNorm});
    const names = net.variables.map((v) => v.name);
    // stage0/block0: 3 -> 4 channels (projection), stage0/block1: identity, stage1/block0: stride 2, 4 -> 6
    expect(names.filter((n) => n.endsWith('shortcut/kernel'))).toEqual(['cnn/stage0/block0/shortcut/kernel', 'cnn/stage1/block0/shortcut/kernel']);
    expect(names).toContain('cnn/stage0/block1/norm2/gamma');
    const x = tf.randomNormal([2, 8, 8, 3]);
    const y = net.apply(x, {training: true});
    expect(y.shape).toEqual([2, 4, 4, 6]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('builds bottleneck stages and is the identity at init with fixup: true', () => {
    const net = residualCnn({name: 'bcnn', inChannels: 8, block: 'bottleneck', expansion: 2, stages: [{filters: 4, blocks: 2}], fixup: true});
    expect(net.blocks.length).toBe(2);
    const x = tf.randomNormal([1, 4, 4, 8]);
    const y = net.apply(x, {training: true});
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync())); // Fixup: last conv zero
    tf.dispose([x, y]);
    net.dispose();
  });
});

describe('builder validation', () => {
  it('rejects bad options before making any tensor', () => {
    const before = tf.memory().numTensors;
    expect(() => residualCnn({name: 'c', inChannels: 3, stages: []})).toThrow('residualCnn(c): stages must be a non-empty array of {filters, blocks, stride?}, got []');
    expect(() => residualCnn({name: 'c', inChannels: 3, stages: [{filters: 4, blocks: 0}]})).toThrow('residualCnn(c): stages[0].blocks must be an integer in [1, 10000], got 0');
    expect(() => residualCnn({name: 'c', inChannels: 3, stages: [{filters: 4, blocks: 1}], block: 'wide' as never})).toThrow(/block must be 'basic' or 'bottleneck', got "wide"/);
    expect(() => residualMlp({name: 'm', depth: 0, width: 4})).toThrow('residualMlp(m): depth must be an integer in [1, 10000], got 0');
    expect(() => residualMlp({name: 'm', depth: 2, width: 4, fixup: true, gate: 'rezero'})).toThrow(/residualMlp\(m\): gate must be 'none' with fixup/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a name prefix already in use before building anything', () => {
    const a = residualMlp({name: 'taken', depth: 2, width: 3});
    const before = tf.memory().numTensors;
    expect(() => residualMlp({name: 'taken', depth: 5, width: 3})).toThrow(/residualMlp\(taken\): name must not be in use, got one whose variable 'taken\/block0\/dense1\/kernel' already exists/);
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });
});
