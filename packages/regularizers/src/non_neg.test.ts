import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {nonNeg} from './non_neg';

describeBackends(['cpu', 'wasm'], (backend) => {
  it('is max(w, 0) (Keras 3 NonNeg), functional and in place', async () => {
    const w = tf.tensor2d([[-1, 0.5], [0, -3e-8]]);
    const out = nonNeg().constrain(w);
    expectClose(out, [0, 0.5, 0, 0]);
    const v = tf.variable(w, true, `nonneg_${backend}/w`);
    await expectNoLeak(() => nonNeg().apply([v]));
    expectClose(v, [0, 0.5, 0, 0]);
    tf.dispose([w, out, v]);
  });
});
