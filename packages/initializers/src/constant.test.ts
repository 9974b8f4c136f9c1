import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {constant, ones, zeros} from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('fills with 0, 1 and a value, in float32 or int32', () => {
    const z = zeros([2, 3]);
    const o = ones([4], {dtype: 'int32'});
    const c = constant(0.25)([3, 3, 2, 2]);
    expect(z.shape).toEqual([2, 3]);
    expectClose(z, new Array(6).fill(0), {rtol: 0, atol: 0});
    expect(o.dtype).toBe('int32');
    expectClose(o, [1, 1, 1, 1], {rtol: 0, atol: 0});
    expectClose(c, new Array(36).fill(0.25), {rtol: 0, atol: 0});
    expect(constant(-3).stats([5])).toEqual({distribution: 'constant', mean: -3, std: 0, low: -3, high: -3});
    tf.dispose([z, o, c]);
  });

  it('does not leak', async () => {
    await expectNoLeak(() => zeros([3]));
    await expectNoLeak(() => ones([3]));
    await expectNoLeak(() => constant(2)([3, 4]));
  });

  it('rejects bad values and shapes', () => {
    expect(() => constant(NaN)).toThrow('constant: value must be a finite number, got NaN');
    expect(() => zeros([0])).toThrow('zeros: shape must be an array of positive integers, got [0]');
    expect(() => ones([2], {dtype: 'bool' as never})).toThrow(/ones: dtype must be one of 'float32', 'int32', got "bool"/);
  });
});
