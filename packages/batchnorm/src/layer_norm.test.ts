import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak, goldenTensor} from '@stable-train/testing';
import {layerNorm} from './layer_norm';
import {cases, checkAgainstGolden} from '../test/golden_check';

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases('layernorm')) {
    it(`matches PyTorch ${c.name}: y, dx, dgamma, dbeta`, () => {
      checkAgainstGolden(c, (x, g, b) => layerNorm(x, g, b!, c.eps));
    });
  }

  it('leaks nothing', async () => {
    const c = cases('layernorm')[0];
    const [x, g, b] = [c.x, c.gamma, c.beta].map(goldenTensor);
    await expectNoLeak(() => layerNorm(x, g, b));
    await expectNoLeak(() => tf.grads((a: tf.Tensor) => tf.sum(layerNorm(a, g, b)))([x]));
    tf.dispose([x, g, b]);
  });
});

describe('layerNorm arguments', () => {
  it('names the bad argument', () => {
    const x = tf.ones([2, 3]);
    const v = tf.ones([3]);
    const w = tf.ones([2]);
    expect(() => layerNorm(x, w, v)).toThrow('layerNorm: gamma must have shape [3] (the last axis of x), got [2]');
    expect(() => layerNorm(x, v, v, NaN)).toThrow('layerNorm: eps must be a finite number > 0, got NaN');
    tf.dispose([x, v, w]);
  });
});
