import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {l1l2} from './l1_l2';

describeBackends(['cpu', 'wasm'], () => {
  it('is l1·Σ|w| + l2·Σw² with gradient l1·sign(w) + 2·l2·w (Keras L1L2)', () => {
    // w = [0.5, -3]: Σ|w| = 3.5, Σw² = 9.25 → 0.1·3.5 + 0.01·9.25 = 0.4425
    // grad: 0.1·[1, -1] + 0.02·[0.5, -3] = [0.11, -0.16]
    const w = tf.tensor1d([0.5, -3]);
    const penalty = l1l2({l1: 0.1, l2: 0.01});
    expectClose(penalty({w}), 0.4425);
    const g = tf.grad((x: tf.Tensor) => penalty({w: x}))(w);
    expectClose(g, [0.11, -0.16]);
    tf.dispose([w, g]);
  });

  it('defaults both factors to 0 (as Keras L1L2) and leaks nothing', async () => {
    const p = {w: tf.tensor1d([1, 2])};
    expectClose(l1l2()(p), 0);
    expectClose(l1l2({l2: 1})(p), 5);
    await expectNoLeak(() => l1l2({l1: 1, l2: 1})(p));
    tf.dispose(Object.values(p));
  });
});

describe('l1l2 arguments', () => {
  it('rejects bad factors naming the argument', () => {
    expect(() => l1l2({l1: -1})).toThrow('l1l2: l1 must be a finite number >= 0, got -1');
    expect(() => l1l2({l2: NaN})).toThrow('l1l2: l2 must be a finite number >= 0, got NaN');
    expect(() => l1l2({L2: 1} as never)).toThrow("l1l2: unknown option 'L2' in opts; expected one of l1, l2, mask");
  });
});
