import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {FWD, GRAD} from '../test/golden_check';
import {normsV2} from '../test/golden_v2';
import {BatchNorm} from './batch_norm';
import {FrozenBatchNorm, freezeBatchNorm} from './frozen_batch_norm';

describeBackends(['cpu', 'wasm'], (backend) => {
  const g = normsV2();
  const f = g.frozen_batchnorm;

  const load = (layer: FrozenBatchNorm) => {
    const n = layer.name;
    const s = {
      [`${n}/gamma`]: goldenTensor(f.weight), [`${n}/beta`]: goldenTensor(f.bias),
      [`${n}/moving_mean`]: goldenTensor(f.running_mean), [`${n}/moving_variance`]: goldenTensor(f.running_var),
    };
    layer.setState(s);
    tf.dispose(s);
  };

  for (const training of [true, false]) {
    it(`matches torchvision FrozenBatchNorm2d (training: ${training}): y, dx; nothing trainable, nothing moves`, () => {
      const layer = new FrozenBatchNorm({channels: 2, eps: f.eps, name: `${backend}/fbn_${training}`});
      load(layer);
      expect(layer.variables.map((v) => [v.name.split('/').pop(), v.trainable])).toEqual([
        ['gamma', false], ['beta', false], ['moving_mean', false], ['moving_variance', false],
      ]);
      const x = goldenTensor(g.inputs.x);
      const up = goldenTensor(g.inputs.upstream_grad);
      const y = layer.apply(x, {training});
      expectClose(y, goldenData(f.y), FWD);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, {training}), up)))(x);
      expectClose(dx, goldenData(f.dx), GRAD);
      expectClose(layer.movingMean, goldenData(f.running_mean), {rtol: 0, atol: 0});
      expectClose(layer.movingVariance, goldenData(f.running_var), {rtol: 0, atol: 0});
      tf.dispose([x, up, y, dx]);
      layer.dispose();
    });
  }

  it('freezeBatchNorm: same names, same inference output, BatchNorm disposed; keepSource keeps it', () => {
    const bn = new BatchNorm({channels: 2, name: `${backend}/stem/bn`});
    const x = goldenTensor(g.inputs.x);
    // train it a little so the statistics are not the defaults
    tf.dispose(bn.apply(x, {training: true}));
    tf.tidy(() => bn.gamma!.assign(tf.tensor1d([1.5, -0.5])));
    const yBn = bn.apply(x, {training: false});
    const kept = freezeBatchNorm(bn, {keepSource: true, name: `${backend}/stem/bn_frozen`});
    const frozen = freezeBatchNorm(bn);
    expect(bn.variables.every((v) => v.isDisposed)).toBe(true);
    expect(frozen.name).toBe(`${backend}/stem/bn`);
    expect(frozen.variables.map((v) => v.name)).toEqual(
      ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((k) => `${backend}/stem/bn/${k}`),
    );
    for (const l of [frozen, kept]) {
      const y = l.apply(x, {training: true});
      expectClose(y, yBn.dataSync(), {rtol: 1e-6, atol: 1e-6});
      y.dispose();
    }
    tf.dispose([x, yBn]);
    frozen.dispose();
    kept.dispose();
  });

  it('freezeBatchNorm of an affine: false BatchNorm uses gamma 1, beta 0', () => {
    const bn = new BatchNorm({channels: 2, affine: false, name: `${backend}/bn_noaff`});
    const x = goldenTensor(g.inputs.x);
    const yBn = bn.apply(x, {training: false});
    const frozen = freezeBatchNorm(bn);
    const y = frozen.apply(x, {training: false});
    expectClose(y, yBn.dataSync(), {rtol: 1e-6, atol: 1e-6});
    tf.dispose([x, yBn, y]);
    frozen.dispose();
  });

  it('leaks nothing; checkpoints round trip', async () => {
    const a = new FrozenBatchNorm({channels: 2, name: `${backend}/fbn_leak`});
    load(a);
    const x = goldenTensor(g.inputs.x);
    await expectNoLeak(() => a.apply(x, {training: true}));
    await expectNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(a.apply(t, {training: true})))(x));
    const bn = new BatchNorm({channels: 2, name: `${backend}/bn_leak`});
    await expectNoLeak(() => freezeBatchNorm(bn, {keepSource: true, name: `${backend}/bn_leak2`}).dispose());
    bn.dispose();
    const b = new FrozenBatchNorm({channels: 2, name: `${backend}/fbn_leak_b`});
    const s = a.getState();
    b.setState(Object.fromEntries(Object.entries(s).map(([k, t]) => [k.replace('fbn_leak', 'fbn_leak_b'), t])));
    const ya = a.apply(x, {training: false});
    const yb = b.apply(x, {training: false});
    expectClose(yb, ya.dataSync(), {rtol: 0, atol: 0});
    tf.dispose([x, s, ya, yb]);
    a.dispose();
    b.dispose();
  });
});

describe('FrozenBatchNorm / freezeBatchNorm arguments', () => {
  it('names the bad argument and value', () => {
    expect(() => new FrozenBatchNorm({channels: -1})).toThrow('FrozenBatchNorm: channels must be an integer in [1, 16777216], got -1');
    expect(() => new FrozenBatchNorm({channels: 2, eps: 0})).toThrow('FrozenBatchNorm: eps must be a finite number > 0, got 0');
    expect(() => freezeBatchNorm({} as never)).toThrow('freezeBatchNorm: bn must be a BatchNorm, got an object {}');
    const noStats = new BatchNorm({channels: 2, trackRunningStats: false, name: 'fz_nostats'});
    expect(() => freezeBatchNorm(noStats)).toThrow(/freezeBatchNorm: bn must have running statistics to freeze, got BatchNorm 'fz_nostats'/);
    const bn = new BatchNorm({channels: 2, name: 'fz_keep'});
    expect(() => freezeBatchNorm(bn, {keepSource: true})).toThrow(/freezeBatchNorm: name must differ from the source's with keepSource: true, got "fz_keep"/);
    bn.dispose();
    expect(() => freezeBatchNorm(bn)).toThrow("freezeBatchNorm: bn must be a live BatchNorm, got BatchNorm 'fz_keep' disposed");
    noStats.dispose();
  });
});
