import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, goldenData, goldenTensor} from '@stable-train/testing';
import {BatchNorm} from './batch_norm';
import {FWD, GRAD, GoldenCase, cases} from '../test/golden_check';

/** A BatchNorm holding the case's gamma, beta and running statistics. */
function fromCase(c: GoldenCase, name: string, extra: Partial<ConstructorParameters<typeof BatchNorm>[0]> = {}): BatchNorm {
  const bn = new BatchNorm({channels: c.gamma.shape[0], eps: c.eps, name, ...extra});
  const s = {
    [`${name}/gamma`]: goldenTensor(c.gamma),
    [`${name}/beta`]: goldenTensor(c.beta),
    [`${name}/moving_mean`]: goldenTensor(c.running_mean_before),
    [`${name}/moving_variance`]: goldenTensor(c.running_var_before),
  };
  bn.setState(s);
  tf.dispose(s);
  return bn;
}

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const c of cases('batchnorm', 'train')) {
    it(`training step inside tf.variableGrads matches PyTorch ${c.name} (y, dgamma, dbeta, moving stats)`, () => {
      const bn = fromCase(c, `${backend}_${c.name}`);
      const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
      let y: tf.Tensor | null = null;
      const {value, grads} = tf.variableGrads(() => {
        y = tf.keep(bn.apply(x, {training: true})); // variableGrads disposes what is not kept
        return tf.sum(tf.mul(y, up)) as tf.Scalar;
      });
      expect(Object.keys(grads).sort()).toEqual([`${bn.name}/beta`, `${bn.name}/gamma`]);
      expectClose(y!, goldenData(c.y), FWD);
      expectClose(grads[`${bn.name}/gamma`], goldenData(c.dgamma), GRAD);
      expectClose(grads[`${bn.name}/beta`], goldenData(c.dbeta), GRAD);
      // exactly one update, with PyTorch's momentum 0.1 and the unbiased batch variance
      expectClose(bn.movingMean!, goldenData(c.running_mean_after), FWD);
      expectClose(bn.movingVariance!, goldenData(c.running_var_after), FWD);
      tf.dispose([x, up, value, y!, ...Object.values(grads)]);
      bn.dispose();
    });

    it(`dx through the module matches PyTorch ${c.name}`, () => {
      const bn = fromCase(c, `${backend}_${c.name}_dx`);
      const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a, {training: true}), up)))(x);
      expectClose(dx, goldenData(c.dx), GRAD);
      tf.dispose([x, up, dx]);
      bn.dispose();
    });

    it(`keras convention (momentum 0.9) updates with the biased variance (${c.name})`, () => {
      const bn = fromCase(c, `${backend}_${c.name}_k`, {convention: 'keras', momentum: 0.9});
      const x = goldenTensor(c.x);
      tf.dispose(bn.apply(x, {training: true}));
      // Keras: moving = 0.9 * moving + 0.1 * batch, biased batch variance (from the golden fields)
      const before = goldenData(c.running_var_before);
      const biased = goldenData(c.batch_var_biased);
      expectClose(bn.movingMean!, goldenData(c.running_mean_after), FWD);
      expectClose(bn.movingVariance!, before.map((v, i) => 0.9 * v + 0.1 * biased[i]), FWD);
      x.dispose();
      bn.dispose();
    });
  }

  for (const c of cases('batchnorm', 'eval')) {
    it(`inference mode matches PyTorch ${c.name} and leaves the moving stats alone`, () => {
      const bn = fromCase(c, `${backend}_${c.name}`);
      const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
      const y = bn.apply(x, {training: false});
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a, {training: false}), up)))(x);
      const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, {training: false}), up)) as tf.Scalar);
      expectClose(y, goldenData(c.y), FWD);
      expectClose(dx, goldenData(c.dx), GRAD);
      expectClose(grads[`${bn.name}/gamma`], goldenData(c.dgamma), GRAD);
      expectClose(grads[`${bn.name}/beta`], goldenData(c.dbeta), GRAD);
      expectClose(bn.movingMean!, goldenData(c.running_mean_before), {rtol: 0, atol: 0});
      expectClose(bn.movingVariance!, goldenData(c.running_var_before), {rtol: 0, atol: 0});
      tf.dispose([x, up, y, dx, value, ...Object.values(grads)]);
      bn.dispose();
    });
  }

  it('100 training steps in tf.variableGrads: no leak, one update per call, same gradients', () => {
    const c = cases('batchnorm', 'train').find((k) => k.x.shape.length === 4);
    const bn = fromCase(c, `${backend}_hundred`);
    const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
    const step = () => {
      const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, {training: true}), up)) as tf.Scalar);
      return {value, grads};
    };
    const warm = step(); // warm-up: a backend may allocate once on first use
    warm.value.dispose();
    let last: tf.NamedTensorMap = warm.grads; // 2 tensors, held through the loop
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const {value, grads} = step();
      value.dispose();
      tf.dispose(last);
      last = grads;
    }
    expect(tf.memory().numTensors).toBe(before); // `last` holds 2 before and after
    expectClose(last[`${bn.name}/gamma`], goldenData(c.dgamma), GRAD);
    // the same batch 101 times: moving = batch + (before - batch) * 0.9^101
    const k = 0.9 ** 101;
    const m0 = goldenData(c.running_mean_before);
    const bm = goldenData(c.batch_mean);
    expectClose(bn.movingMean!, bm.map((b, i) => b + (m0[i] - b) * k), {rtol: 1e-5, atol: 1e-5});
    tf.dispose([x, up, ...Object.values(last)]);
    bn.dispose();
  });
});

describe('BatchNorm module shape and errors', () => {
  it('names its variables and marks the moving statistics not trainable', () => {
    const bn = new BatchNorm({channels: 3, name: 'blk/bn1'});
    expect(bn.variables.map((v) => [v.name, v.trainable])).toEqual([
      ['blk/bn1/gamma', true],
      ['blk/bn1/beta', true],
      ['blk/bn1/moving_mean', false],
      ['blk/bn1/moving_variance', false],
    ]);
    expect([bn.momentum, bn.eps, bn.batchWeight]).toEqual([0.1, 1e-5, 0.1]);
    bn.dispose();
    const k = new BatchNorm({channels: 3, convention: 'keras'});
    expect([k.momentum, k.eps]).toEqual([0.99, 1e-3]);
    expect(k.batchWeight).toBeCloseTo(0.01, 15);
    expect(k.name).toMatch(/^batch_norm/);
    k.dispose();
  });

  it('refuses one value per channel in training (as PyTorch), not in inference', () => {
    const bn = new BatchNorm({channels: 3, name: 'bn_one'});
    const x = tf.ones([1, 3]);
    expect(() => bn.apply(x, {training: true})).toThrow(
      "BatchNorm 'bn_one': Expected more than 1 value per channel when training, got input of shape [1,3]",
    );
    tf.dispose(bn.apply(x, {training: false}));
    x.dispose();
    bn.dispose();
  });

  it('names the layer when the channels do not match', () => {
    const bn = new BatchNorm({channels: 3, name: 'stem/bn'});
    const x = tf.ones([2, 4, 4, 8]);
    expect(() => bn.apply(x, {training: true})).toThrow(
      "BatchNorm 'stem/bn'.apply: x must have 3 channels in the last axis, got shape [2,4,4,8]",
    );
    expect(() => bn.apply(x, undefined as never)).toThrow(/BatchNorm 'stem\/bn'/);
    x.dispose();
    bn.dispose();
  });

  it('validates options before making variables', () => {
    const before = tf.memory().numTensors;
    expect(() => new BatchNorm({channels: 0})).toThrow('BatchNorm: channels must be an integer in [1, 16777216], got 0');
    expect(() => new BatchNorm({channels: 3, momentum: 1.5})).toThrow('BatchNorm: momentum must be a number in [0, 1], got 1.5');
    expect(() => new BatchNorm({channels: 3, eps: -1})).toThrow('BatchNorm: eps must be a finite number > 0, got -1');
    expect(() => new BatchNorm({channels: 3, convention: 'tf' as never})).toThrow(/convention must be 'pytorch' or 'keras', got "tf"/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips its state and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const bn = new BatchNorm({channels: 2, name: 'st'});
    const x = tf.tensor2d([1, 2, 3, 5], [2, 2]);
    tf.dispose(bn.apply(x, {training: true}));
    const saved = bn.getState();
    // hand-computed: batch means [2, 3.5] -> moving_mean = 0.1 * mean
    expectClose(saved['st/moving_mean'], [0.2, 0.35]);
    const other = new BatchNorm({channels: 2, name: 'st2'});
    const renamed = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k.replace('st/', 'st2/'), v]));
    other.setState(renamed);
    tf.dispose(saved);
    expectClose(other.movingMean!, [0.2, 0.35]);
    expect(() => other.setState({})).toThrow("BatchNorm 'st2'.setState: state['st2/gamma'] must be a tensor of shape [2], got undefined");
    other.dispose();
    bn.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => bn.apply(x, {training: false})).toThrow(/after dispose/);
  });
});
