import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak, goldenTensor} from '@stable-train/testing';
import {LayerNorm, layerNorm} from './layer_norm';
import {cases, checkAgainstGolden, checkLayerAgainstGolden} from '../test/golden_check';

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

describe('LayerNorm module', () => {
  describeBackends(['cpu', 'wasm'], (backend) => {
    for (const c of cases('layernorm')) {
      it(`matches PyTorch ${c.name} through tf.variableGrads`, () => {
        const ln = new LayerNorm({channels: c.gamma.shape[0], eps: c.eps, name: `${backend}/${c.name}`});
        checkLayerAgainstGolden(c, ln);
        ln.dispose();
      });
    }
  });

  it('has the module shape and names the layer on bad input', async () => {
    const ln = new LayerNorm({channels: 4, name: 'enc/ln'});
    expect(ln.variables.map((v) => `${v.name}:${v.trainable}`)).toEqual(['enc/ln/gamma:true', 'enc/ln/beta:true']);
    const x = tf.ones([2, 3]);
    expect(() => ln.apply(x, {training: true})).toThrow("LayerNorm 'enc/ln'.apply: x must have 4 channels in the last axis, got shape [2,3]");
    const x4 = tf.ones([1, 4]); // batch of one is fine for LayerNorm
    await expectNoLeak(() => ln.apply(x4, {training: true}));
    expect(() => new LayerNorm({channels: 4, eps: 0})).toThrow('LayerNorm: eps must be a finite number > 0, got 0');
    tf.dispose([x, x4]);
    ln.dispose();
  });
});
