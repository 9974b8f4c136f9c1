import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {groupNorm} from './group_norm';
import {layerNorm} from './layer_norm';
import {cases, checkAgainstGolden} from '../test/golden_check';

describeBackends(['cpu', 'wasm'], () => {
  for (const c of cases('groupnorm')) {
    it(`matches PyTorch ${c.name}: y, dx, dgamma, dbeta`, () => {
      checkAgainstGolden(c, (x, g, b) => groupNorm(x, g, b!, c.groups, c.eps));
    });
  }

  it('groups = 1 on [N, D] equals layerNorm on the LayerNorm golden', () => {
    const c = cases('layernorm').find((k) => k.x.shape.length === 2);
    const [x, g, b] = [c.x, c.gamma, c.beta].map(goldenTensor);
    expectClose(groupNorm(x, g, b, 1, c.eps), goldenData(c.y));
    expectClose(groupNorm(x, g, b, 1, c.eps), layerNorm(x, g, b, c.eps));
    tf.dispose([x, g, b]);
  });

  it('leaks nothing', async () => {
    const c = cases('groupnorm')[0];
    const [x, g, b] = [c.x, c.gamma, c.beta].map(goldenTensor);
    await expectNoLeak(() => groupNorm(x, g, b, c.groups));
    await expectNoLeak(() => tf.grads((a: tf.Tensor) => tf.sum(groupNorm(a, g, b, c.groups)))([x]));
    tf.dispose([x, g, b]);
  });
});

describe('groupNorm arguments', () => {
  it('names the bad argument and value', () => {
    const x = tf.ones([2, 2, 2, 16]);
    const v = tf.ones([16]);
    expect(() => groupNorm(x, v, v, 5)).toThrow('groupNorm: groups must divide channels (16), got 5');
    expect(() => groupNorm(x, v, v, 2.5)).toThrow('groupNorm: groups must be an integer > 0, got 2.5');
    expect(() => groupNorm(x, v, v, 4, 0)).toThrow('groupNorm: eps must be a finite number > 0, got 0');
    tf.dispose([x, v]);
  });
});
