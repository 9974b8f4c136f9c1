// GroupNorm's PyTorch option affine (nn.GroupNorm(num_groups, num_channels, eps, affine)) and
// groupNorm's null gamma / beta. Expected values: the PyTorch goldens (affine false = the golden
// output before its per-channel gamma / beta) and the affine case at ones / zeros, bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {GroupNorm, groupNorm} from './group_norm';
import {moments} from './moments';
import {FWD, GRAD, cases} from '../test/golden_check';

/** groupNorm as it was before gamma / beta could be null (git history), verbatim. */
function groupNormBefore(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps = 1e-5): tf.Tensor {
  const c = x.shape[x.rank - 1];
  return tf.tidy(() => {
    const n = x.shape[0];
    const grouped = tf.reshape(x, [n, -1, groups, c / groups]);
    const {mean, variance} = moments(grouped, [1, 3], true);
    const xHat = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
    return tf.add(tf.mul(xHat, gamma), beta);
  });
}

/** y and d(sum(op(x) * up))/dx as arrays. */
function yAndDx(op: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, up: tf.Tensor) {
  const y = op(x);
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(op(a), up)))(x);
  const out = {y: Array.from(y.dataSync()), dx: Array.from(dx.dataSync())};
  tf.dispose([y, dx]);
  return out;
}

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const c of cases('groupnorm')) {
    it(`${c.name}: unchanged bit for bit; null gamma / beta = ones / zeros; the affine step on top gives PyTorch's y, dx`, () => {
      const [x, g, b, up] = [c.x, c.gamma, c.beta, c.upstream_grad].map(goldenTensor);
      const [ones, zeros] = [tf.onesLike(g), tf.zerosLike(b)];
      expect(yAndDx((a) => groupNorm(a, g, b, c.groups, c.eps), x, up)).toEqual(
        yAndDx((a) => groupNormBefore(a, g, b, c.groups, c.eps), x, up));
      const plain = yAndDx((a) => groupNorm(a, null, null, c.groups, c.eps), x, up);
      expect(plain).toEqual(yAndDx((a) => groupNorm(a, ones, zeros, c.groups, c.eps), x, up));
      expect(yAndDx((a) => groupNorm(a, g, null, c.groups, c.eps), x, up)).toEqual(
        yAndDx((a) => groupNorm(a, g, zeros, c.groups, c.eps), x, up));
      const onTop = (a: tf.Tensor) => tf.add(tf.mul(groupNorm(a, null, null, c.groups, c.eps), g), b);
      const r = yAndDx(onTop, x, up);
      expectClose(r.y, goldenData(c.y), FWD);
      expectClose(r.dx, goldenData(c.dx), GRAD);
      tf.dispose([x, g, b, up, ones, zeros]);
    });
  }

  it('GroupNorm affine: false has no variables, equals the default layer at ones / zeros, and leaks nothing', async () => {
    const c = cases('groupnorm')[0];
    const plain = new GroupNorm({channels: c.channels, groups: c.groups, eps: c.eps, affine: false, name: `${backend}/gn_noaff`});
    const affine = new GroupNorm({channels: c.channels, groups: c.groups, eps: c.eps, name: `${backend}/gn_aff`});
    expect([plain.variables, plain.gamma, plain.beta, plain.affine, affine.affine]).toEqual([[], null, null, false, true]);
    expect(affine.variables.map((v) => v.name)).toEqual([`${backend}/gn_aff/gamma`, `${backend}/gn_aff/beta`]);
    expect(plain.getState()).toEqual({});
    const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
    for (const training of [true, false]) {
      expect(yAndDx((a) => plain.apply(a, {training}), x, up)).toEqual(yAndDx((a) => affine.apply(a, {training}), x, up));
    }
    await expectNoLeak(() => plain.apply(x, {training: true}));
    await expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.sum(plain.apply(a, {training: true})))(x));
    await expectNoLeak(() => groupNorm(x, null, null, c.groups));
    tf.dispose([x, up]);
    plain.dispose();
    affine.dispose();
  });
});

describe('GroupNorm affine argument', () => {
  it('must be a boolean; null gamma / beta still check the others', () => {
    expect(() => new GroupNorm({channels: 4, groups: 2, affine: 'false' as never})).toThrow(
      'GroupNorm: affine must be true or false, got "false"');
    const x = tf.ones([2, 2, 2, 4]);
    const w = tf.ones([3]);
    expect(() => groupNorm(x, null, w, 2)).toThrow('groupNorm: beta must have shape [4] (the last axis of x), got [3]');
    expect(() => groupNorm(x, null, null, 3)).toThrow('groupNorm: groups must divide channels (4), got 3');
    tf.dispose([x, w]);
  });
});
