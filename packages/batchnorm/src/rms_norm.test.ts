import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenTensor} from '@stable-train/testing';
import {RMSNorm, rmsNorm} from './rms_norm';
import {cases, checkAgainstGolden, checkLayerAgainstGolden} from '../test/golden_check';

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases('rmsnorm')) {
    it(`matches PyTorch ${c.name}: y, dx, dgamma`, () => {
      checkAgainstGolden(c, (x, g) => rmsNorm(x, g, c.eps));
    });
  }

  it('puts eps inside the square root (hand-computed)', () => {
    // x = [3, 4]: mean square 12.5; with eps 0.5: y = x / sqrt(13) = [0.83205, 1.10940]
    const x = tf.tensor2d([[3, 4]]);
    const g = tf.ones([2]);
    expectClose(rmsNorm(x, g, 0.5), [3 / Math.sqrt(13), 4 / Math.sqrt(13)]);
    tf.dispose([x, g]);
  });

  it('leaks nothing', async () => {
    const c = cases('rmsnorm')[0];
    const [x, g] = [c.x, c.gamma].map(goldenTensor);
    await expectNoLeak(() => rmsNorm(x, g));
    await expectNoLeak(() => tf.grads((a: tf.Tensor) => tf.sum(rmsNorm(a, g)))([x]));
    tf.dispose([x, g]);
  });
});

describe('rmsNorm arguments', () => {
  it('names the bad argument', () => {
    const x = tf.ones([2, 3]);
    const w = tf.ones([2]);
    expect(() => rmsNorm(x, w)).toThrow('rmsNorm: gamma must have shape [3] (the last axis of x), got [2]');
    const w2 = tf.ones([1, 3]);
    expect(() => rmsNorm(x, w2)).toThrow('rmsNorm: gamma must have shape [3] (the last axis of x), got [1,3]');
    tf.dispose([x, w, w2]);
  });
});

describe('RMSNorm module', () => {
  describeBackends(['cpu', 'wasm'], (backend) => {
    for (const c of cases('rmsnorm')) {
      it(`matches PyTorch ${c.name} through tf.variableGrads`, () => {
        const norm = new RMSNorm({channels: c.gamma.shape[0], eps: c.eps, name: `${backend}/${c.name}`});
        checkLayerAgainstGolden(c, norm);
        norm.dispose();
      });
    }
  });

  it('has the module shape and names the layer on bad input', () => {
    const norm = new RMSNorm({channels: 4, name: 'dec/rms'});
    expect(norm.eps).toBe(1e-6);
    expect(norm.variables.map((v) => v.name)).toEqual(['dec/rms/gamma']);
    const x = tf.ones([2, 5]);
    expect(() => norm.apply(x, {training: false})).toThrow("RMSNorm 'dec/rms'.apply: x must have 4 channels in the last axis, got shape [2,5]");
    x.dispose();
    norm.dispose();
  });
});
