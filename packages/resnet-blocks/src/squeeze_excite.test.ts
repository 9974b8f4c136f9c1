import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {FWD, GRAD, blocksV2} from '../test/golden_v2';
import {squeezeExcite, squeezeExciteApply} from './squeeze_excite';

describeBackends(['cpu', 'wasm'], (backend) => {
  const g = blocksV2().squeeze_excitation;

  it('matches PyTorch (Hu et al. SE, r = 4): y, dx (both paths), dW1, db1, dW2, db2', () => {
    const c = g.x.shape[3];
    const se = squeezeExcite({channels: c, ratio: g.reduction_r, name: `${backend}/se`});
    expect(se.reduced).toBe(g.W1.shape[1]);
    const n = se.name;
    const st = {
      [`${n}/fc1/kernel`]: goldenTensor(g.W1), [`${n}/fc1/bias`]: goldenTensor(g.b1),
      [`${n}/fc2/kernel`]: goldenTensor(g.W2), [`${n}/fc2/bias`]: goldenTensor(g.b2),
    };
    se.setState(st);
    tf.dispose(st);
    const x = goldenTensor(g.x);
    const up = goldenTensor(g.upstream_grad);
    const y = se.apply(x, {training: true});
    expectClose(y, goldenData(g.y), FWD);
    const loss = (a: tf.Tensor) => tf.sum(tf.mul(se.apply(a, {training: true}), up)) as tf.Scalar;
    const dx = tf.grad(loss)(x);
    expectClose(dx, goldenData(g.dx), GRAD);
    const {value, grads} = tf.variableGrads(() => loss(x));
    expectClose(grads[`${n}/fc1/kernel`], goldenData(g.dW1), GRAD);
    expectClose(grads[`${n}/fc1/bias`], goldenData(g.db1), GRAD);
    expectClose(grads[`${n}/fc2/kernel`], goldenData(g.dW2), GRAD);
    expectClose(grads[`${n}/fc2/bias`], goldenData(g.db2), GRAD);
    const y2 = squeezeExciteApply(x, se.variables[0], se.variables[1], se.variables[2], se.variables[3]);
    expectClose(y2, goldenData(g.y), FWD);
    tf.dispose([x, up, y, dx, value, grads, y2]);
    se.dispose();
  });

  it('leaks nothing; checkpoints round trip; ratio default 16', async () => {
    const se = squeezeExcite({channels: 32, name: `${backend}/se_leak`});
    expect(se.reduced).toBe(2);
    const x = tf.randomNormal([2, 3, 3, 32], 0, 1, 'float32', 1);
    await expectNoLeak(() => se.apply(x, {training: false}));
    await expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.sum(se.apply(a, {training: true})))(x));
    const s = se.getState();
    const y1 = se.apply(x, {training: false});
    tf.tidy(() => se.variables.forEach((v) => v.assign(tf.zerosLike(v))));
    se.setState(s);
    const y2 = se.apply(x, {training: false});
    expectClose(y2, y1.dataSync(), {rtol: 0, atol: 0});
    tf.dispose([x, s, y1, y2]);
    se.dispose();
  });
});

describe('squeezeExcite arguments', () => {
  it('names the bad argument and value', () => {
    expect(() => squeezeExcite({channels: 0, name: 'se_a'})).toThrow('squeezeExcite: channels must be an integer >= 1, got 0');
    expect(() => squeezeExcite({channels: 8, ratio: -1, name: 'se_a'})).toThrow('squeezeExcite: ratio must be a finite number >= 1, got -1');
    expect(() => squeezeExcite({channels: 8, name: ''})).toThrow('squeezeExcite: name must be a non-empty string, got ""');
    const a = squeezeExcite({channels: 8});
    const b = squeezeExcite({channels: 8});
    expect([a.name, b.name]).toEqual(['squeeze_excite', 'squeeze_excite_1']);
    a.dispose();
    b.dispose();
    const x = tf.ones([1, 2, 2, 4]);
    expect(() => squeezeExciteApply(x, tf.ones([4, 2]), tf.ones([2]), tf.ones([2, 3]), tf.ones([4]))).toThrow(
      'squeezeExciteApply: w2 must have shape [2,4] for C = 4, got [2,3]',
    );
    expect(() => squeezeExciteApply(tf.ones([2, 4]), tf.ones([4, 2]), tf.ones([2]), tf.ones([2, 4]), tf.ones([4]))).toThrow(
      'squeezeExciteApply: x must be NHWC [N, H, W, C], got shape [2,4]',
    );
    const se = squeezeExcite({channels: 8, name: 'se_b'});
    expect(() => squeezeExcite({channels: 8, name: 'se_b'})).toThrow(/name must not be in use, got one whose variable 'se_b\/fc1\/kernel' already exists/);
    expect(() => se.apply(x, {training: false})).toThrow("squeezeExcite 'se_b'.apply: x must be NHWC [N, H, W, 8], got shape [1,2,2,4]");
    se.dispose();
    x.dispose();
  });
});
