import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {identity} from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('is torch eye_: ones on the main diagonal, square and rectangular', () => {
    const sq = identity([3, 3]);
    expectClose(sq, [1, 0, 0, 0, 1, 0, 0, 0, 1], {rtol: 0, atol: 0});
    const wide = identity([2, 3]);
    expectClose(wide, [1, 0, 0, 0, 1, 0], {rtol: 0, atol: 0});
    const x = tf.tensor2d([[0.5, -2, 3]]);
    const y = tf.matMul(x, identity([3, 3])); // x·I = x
    expectClose(y, [0.5, -2, 3], {rtol: 0, atol: 0});
    tf.dispose([sq, wide, x, y]);
  });

  it('rejects other ranks and does not leak', async () => {
    expect(() => identity([3, 3, 2, 2])).toThrow('identity: shape must have rank <= 2, got [3, 3, 2, 2] (rank 4)');
    expect(() => identity([3])).toThrow('identity: shape must have rank >= 2, got [3] (rank 1)');
    await expectNoLeak(() => identity([4, 4]));
  });
});
