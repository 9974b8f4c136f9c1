import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {batchNormInference} from './batch_norm_inference';
import {FWD, cases, checkAgainstGolden} from '../test/golden_check';

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases('batchnorm', 'eval')) {
    it(`matches PyTorch ${c.name} (eval mode): y, dx, dgamma, dbeta`, () => {
      const rm = goldenTensor(c.running_mean_before);
      const rv = goldenTensor(c.running_var_before);
      checkAgainstGolden(c, (x, g, b) => batchNormInference(x, rm, rv, g, b!, c.eps));
      tf.dispose([rm, rv]);
    });
  }

  it('gamma / beta null (PyTorch weight=None, bias=None): PyTorch eval y with gamma, beta undone, no leak', async () => {
    const c = cases('batchnorm', 'eval')[0];
    const C = c.gamma.shape[0];
    const t = [c.x, c.running_mean_before, c.running_var_before].map(goldenTensor);
    const gd = goldenData(c.gamma), bd = goldenData(c.beta);
    const y = batchNormInference(t[0], t[1], t[2], null, null, c.eps);
    expectClose(y, goldenData(c.y).map((v, i) => (v - bd[i % C]) / gd[i % C]), FWD);
    await expectNoLeak(() => batchNormInference(t[0], t[1], t[2], null, null, c.eps));
    tf.dispose([y, ...t]);
  });

  it('leaks nothing', async () => {
    const c = cases('batchnorm', 'eval')[0];
    const t = [c.x, c.running_mean_before, c.running_var_before, c.gamma, c.beta].map(goldenTensor);
    await expectNoLeak(() => batchNormInference(t[0], t[1], t[2], t[3], t[4], c.eps));
    tf.dispose(t);
  });
});

describe('batchNormInference arguments', () => {
  it('names the bad argument', () => {
    const x = tf.ones([2, 3]);
    const v = tf.ones([3]);
    const w = tf.ones([4]);
    expect(() => batchNormInference(x, w, v, v, v)).toThrow('batchNormInference: movingMean must have shape [3]');
    expect(() => batchNormInference(x, v, v, v, v, -1)).toThrow('batchNormInference: eps must be a finite number > 0, got -1');
    tf.dispose([x, v, w]);
  });
});
