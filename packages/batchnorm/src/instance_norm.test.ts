import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {FWD, GRAD} from '../test/golden_check';
import {normsV2} from '../test/golden_v2';
import {groupNorm} from './group_norm';
import {InstanceNorm, instanceNorm} from './instance_norm';

describeBackends(['cpu', 'wasm'], (backend) => {
  const g = normsV2();
  const inp = g.inputs;

  for (const c of g.instance_norm) {
    it(`matches PyTorch ${c.name}: y, dx, dgamma, dbeta, running stats`, () => {
      const layer = new InstanceNorm({
        channels: inp.x.shape[3], affine: c.affine, trackRunningStats: c.track_running_stats,
        momentum: c.momentum, eps: c.eps, name: `${backend}/${c.name}`,
      });
      const n = layer.name;
      const state: tf.NamedTensorMap = {};
      if (c.affine) Object.assign(state, {[`${n}/gamma`]: goldenTensor(inp.gamma), [`${n}/beta`]: goldenTensor(inp.beta)});
      if (c.track_running_stats) {
        Object.assign(state, {[`${n}/moving_mean`]: goldenTensor(inp.running_mean_before), [`${n}/moving_variance`]: goldenTensor(inp.running_var_before)});
      }
      layer.setState(state);
      tf.dispose(state);
      const training = c.mode === 'train';
      const x = goldenTensor(inp.x);
      const up = goldenTensor(inp.upstream_grad);
      // the first call: y, and (train + track) the running statistics move exactly once
      const y = layer.apply(x, {training});
      expectClose(y, goldenData(c.y), FWD);
      if (c.track_running_stats) {
        expectClose(layer.movingMean!, goldenData(c.running_mean_after), FWD);
        expectClose(layer.movingVariance!, goldenData(c.running_var_after), FWD);
      }
      const loss = (a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, {training}), up)) as tf.Scalar;
      const dx = tf.grad(loss)(x);
      expectClose(dx, goldenData(c.dx), GRAD);
      if (c.affine) {
        const {value, grads} = tf.variableGrads(() => loss(x));
        expectClose(grads[`${n}/gamma`], goldenData(c.dgamma), GRAD);
        expectClose(grads[`${n}/beta`], goldenData(c.dbeta), GRAD);
        tf.dispose([value, ...Object.values(grads)]);
      }
      // the pure function gives the instance-statistics cases
      if (c.normalised_with === 'per-instance stats') {
        const y2 = instanceNorm(x, layer.gamma, layer.beta, c.eps);
        expectClose(y2, goldenData(c.y), FWD);
        y2.dispose();
      }
      tf.dispose([x, up, y, dx]);
      layer.dispose();
    });
  }

  it('instanceNorm equals groupNorm with groups = C; works on [N, L, C]', () => {
    const x = tf.randomNormal([2, 5, 6], 0, 3, 'float32', 7);
    const gam = tf.randomNormal([6], 1, 0.1, 'float32', 8);
    const a = instanceNorm(x, gam, null);
    const b = groupNorm(x, gam, null, 6);
    expectClose(a, b.dataSync(), {rtol: 1e-5, atol: 1e-5});
    tf.dispose([x, gam, a, b]);
  });

  it('leaks nothing (function, layer in both modes, gradients)', async () => {
    const layer = new InstanceNorm({channels: 2, affine: true, trackRunningStats: true, name: `${backend}/in_leak`});
    const x = goldenTensor(g.inputs.x);
    await expectNoLeak(() => instanceNorm(x, null, null));
    await expectNoLeak(() => layer.apply(x, {training: true}));
    await expectNoLeak(() => layer.apply(x, {training: false}));
    await expectNoLeak(() => {
      const r = tf.variableGrads(() => tf.sum(layer.apply(x, {training: true})) as tf.Scalar);
      tf.dispose([r.value, ...Object.values(r.grads)]);
    });
    tf.dispose(x);
    layer.dispose();
  });

  it('checkpoints: getState / setState round trip restores the running statistics', () => {
    const a = new InstanceNorm({channels: 2, trackRunningStats: true, affine: true, name: `${backend}/in_ck_a`});
    const b = new InstanceNorm({channels: 2, trackRunningStats: true, affine: true, name: `${backend}/in_ck_b`});
    const x = goldenTensor(g.inputs.x);
    tf.dispose(a.apply(x, {training: true}));
    const s = a.getState();
    b.setState(Object.fromEntries(Object.entries(s).map(([k, t]) => [k.replace('in_ck_a', 'in_ck_b'), t])));
    const ya = a.apply(x, {training: false});
    const yb = b.apply(x, {training: false});
    expectClose(yb, ya.dataSync(), {rtol: 0, atol: 0});
    tf.dispose([x, ya, yb, s]);
    a.dispose();
    b.dispose();
  });
});

describe('InstanceNorm arguments', () => {
  it('defaults as PyTorch: no affine, no running stats', () => {
    const l = new InstanceNorm({channels: 3});
    expect([l.affine, l.trackRunningStats, l.momentum, l.eps, l.variables.length]).toEqual([false, false, 0.1, 1e-5, 0]);
    expect(l.name).toMatch(/^instance_norm/);
    l.dispose();
  });

  it('names the bad argument and value', () => {
    expect(() => new InstanceNorm({channels: 0})).toThrow('InstanceNorm: channels must be an integer in [1, 16777216], got 0');
    expect(() => new InstanceNorm({channels: 2, momentum: 2})).toThrow('InstanceNorm: momentum must be a number in [0, 1], got 2');
    expect(() => new InstanceNorm({channels: 2, eps: -1})).toThrow('InstanceNorm: eps must be a finite number > 0, got -1');
    expect(() => new InstanceNorm({channels: 2, affine: 1 as never})).toThrow('InstanceNorm: affine must be true or false, got 1');
    const x = tf.ones([2, 1, 1, 3]);
    expect(() => instanceNorm(x, null, null)).toThrow(/instanceNorm: Expected more than 1 spatial element/);
    expect(() => instanceNorm(tf.ones([2, 3]), null, null)).toThrow('instanceNorm: x must have rank >= 3 (channels last), got shape [2,3]');
    expect(() => instanceNorm(tf.ones([2, 2, 3]), tf.ones([2]), null)).toThrow('instanceNorm: gamma must have shape [3] (the last axis of x), got [2]');
    const l = new InstanceNorm({channels: 3, trackRunningStats: true, name: 'in_args'});
    expect(() => l.apply(x, {training: true})).toThrow(/Expected more than 1 spatial element/);
    const y = l.apply(x, {training: false}); // running statistics: fine with one position
    tf.dispose([x, y]);
    l.dispose();
  });
});
