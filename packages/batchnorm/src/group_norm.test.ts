import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {GroupNorm, groupNorm} from './group_norm';
import {layerNorm} from './layer_norm';
import {cases, checkAgainstGolden, checkLayerAgainstGolden} from '../test/golden_check';

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

describe('GroupNorm module', () => {
  describeBackends(['cpu', 'wasm'], (backend) => {
    for (const c of cases('groupnorm')) {
      it(`matches PyTorch ${c.name} through tf.variableGrads`, () => {
        const gn = new GroupNorm({channels: c.channels, groups: c.groups, eps: c.eps, name: `${backend}/${c.name}`});
        checkLayerAgainstGolden(c, gn);
        gn.dispose();
      });
    }

    it('works with a batch of one in training mode (no batch statistics)', async () => {
      const gn = new GroupNorm({channels: 4, groups: 2, name: `${backend}/gn_one`});
      const x = tf.tensor4d([1, 2, 3, 5, 2, 2, 7, 1], [1, 1, 2, 4]);
      const y = gn.apply(x, {training: true});
      // hand-computed: group 0 = {1, 2, 2, 2} mean 1.75 var 0.1875 -> (1 - 1.75) / sqrt(0.18751)
      const first = tf.slice(y, [0, 0, 0, 0], [1, 1, 1, 1]);
      expectClose(first, [-0.75 / Math.sqrt(0.1875 + 1e-5)]);
      await expectNoLeak(() => gn.apply(x, {training: true}));
      tf.dispose([x, y, first]);
      gn.dispose();
    });
  });

  it('validates groups and names the layer on bad input', () => {
    expect(() => new GroupNorm({channels: 16, groups: 5})).toThrow('GroupNorm: groups must divide channels (16), got 5');
    const gn = new GroupNorm({channels: 16, groups: 4, name: 'res/gn'});
    const x = tf.ones([2, 3, 3, 8]);
    expect(() => gn.apply(x, {training: true})).toThrow("GroupNorm 'res/gn'.apply: x must have 16 channels in the last axis, got shape [2,3,3,8]");
    x.dispose();
    gn.dispose();
  });
});
