import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {l1} from './l1';

describeBackends(['cpu', 'wasm'], () => {
  it('is scale · Σ|w| with gradient scale · sign(w) (Keras L1)', () => {
    // Σ|w| = 1.5 + 2 + 0 + 0.25 = 3.75; d|w|/dw = sign(w), and tfjs takes sign(0) = 0
    const w = tf.tensor2d([[1.5, -2], [0, 0.25]]);
    const penalty = l1(0.1);
    expectClose(penalty({w}), 0.375);
    const g = tf.grad((x: tf.Tensor) => penalty({w: x}))(w);
    expectClose(g, [0.1, -0.1, 0, 0.1]);
    tf.dispose([w, g]);
  });

  it('sums over the masked set only and leaks nothing', async () => {
    const p = {'a/kernel': tf.tensor1d([1, -1]), 'b/kernel': tf.tensor1d([10])};
    expectClose(l1(1, {mask: {include: 'a/*'}})(p), 2);
    await expectNoLeak(() => l1(1)(p));
    tf.dispose(Object.values(p));
  });
});

describe('l1 arguments', () => {
  it('rejects bad scales and masks', () => {
    expect(() => l1(-0.5)).toThrow('l1: scale must be a finite number >= 0, got -0.5');
    expect(() => l1(Infinity)).toThrow('l1: scale must be a finite number >= 0, got Infinity');
    expect(() => l1(1, {mask: {include: 5}} as never)).toThrow('l1: mask.include must be a glob string or a predicate');
    const p = {'a/kernel': tf.tensor1d([1])};
    expect(() => l1(1, {mask: {include: 'b/*'}})(p)).toThrow("l1: mask.include glob must match at least one parameter name (a/kernel), got \"b/*\"");
    tf.dispose(Object.values(p));
  });
});
