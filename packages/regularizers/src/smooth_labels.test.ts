import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {smoothLabels} from './smooth_labels';

describeBackends(['cpu', 'wasm'], () => {
  it('class indices: (1 − ε)·onehot + ε/C, ε/C on every class (PyTorch / Keras / Optax)', () => {
    const t = smoothLabels(tf.tensor1d([2, 0], 'int32'), {smoothing: 0.1, numClasses: 4});
    // hand: ε/C = 0.025; true class 0.9 + 0.025 = 0.925
    expectClose(t, [0.025, 0.025, 0.925, 0.025, 0.925, 0.025, 0.025, 0.025], {rtol: 1e-6});
    tf.dispose(t);
  });

  it('one-hot or soft targets [N, C]; ε = 0 is the identity; rows still sum to 1', () => {
    const oh = tf.tensor2d([[0, 1, 0], [0.5, 0.5, 0]]);
    const s = smoothLabels(oh, {smoothing: 0.3});
    expectClose(s, [0.1, 0.8, 0.1, 0.45, 0.45, 0.1], {rtol: 1e-6}); // 0.7·t + 0.1
    const id = smoothLabels(oh, {smoothing: 0, numClasses: 3});
    expectClose(id, [0, 1, 0, 0.5, 0.5, 0], {atol: 0});
    const sums = tf.sum(s, -1);
    expectClose(sums, [1, 1], {rtol: 1e-6});
    expectNoLeak(() => smoothLabels(oh, {smoothing: 0.1}));
    tf.dispose([oh, s, id, sums]);
  });
});

describe('smoothLabels arguments', () => {
  it('names the bad argument and value', () => {
    const idx = tf.tensor1d([1], 'int32');
    const oh = tf.tensor2d([[0, 1]]);
    expect(() => smoothLabels(idx, {smoothing: 1.5, numClasses: 2})).toThrow('smoothLabels: smoothing must be a number in [0, 1], got 1.5');
    expect(() => smoothLabels(idx, {smoothing: 0.1})).toThrow('smoothLabels: numClasses must be given for class-index (int32) targets of shape [1], got undefined');
    expect(() => smoothLabels(oh, {smoothing: 0.1, numClasses: 3})).toThrow('smoothLabels: numClasses (3) must equal the last axis of the one-hot targets, got shape [1,2]');
    expect(() => smoothLabels(idx, {smoothing: 0.1, numClasses: 0})).toThrow('smoothLabels: numClasses must be an integer >= 1, got 0');
    expect(() => smoothLabels([1] as never, {smoothing: 0.1})).toThrow('smoothLabels: targets must be a live tf.Tensor, got [1]');
    tf.dispose([idx, oh]);
  });
});
