import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {seq} from '../test/fixtures';
import {excludeNormAndBias} from './exclude_norm_and_bias';
import {l2} from './l2';

describeBackends(['cpu', 'wasm'], () => {
  const kData = seq(12, 3);
  const bData = seq(3, 4);
  let params: tf.NamedTensorMap;
  beforeAll(() => {
    params = {'dense/kernel': tf.tensor2d(kData, [4, 3]), 'dense/bias': tf.tensor1d(bData)};
  });
  afterAll(() => tf.dispose(Object.values(params)));
  const sumSq = (xs: number[]): number => xs.reduce((s, x) => s + x * x, 0);

  it('is scale · Σ w² over all parameters (Keras L2), by default', () => {
    // Keras: loss = l2 * reduce_sum(square(x)), summed over the kernel and the bias
    expectClose(l2(0.01)(params), 0.01 * (sumSq(kData) + sumSq(bData)));
  });

  it('respects the mask', () => {
    expectClose(l2(0.5, {mask: excludeNormAndBias})(params), 0.5 * sumSq(kData));
  });

  it('has gradient 2·scale·w on selected parameters and none on the others', () => {
    // d/dw (s·Σw²) = 2·s·w; the bias is masked out, so the penalty does not depend on it
    const vars = {
      'l2t/kernel': tf.variable(params['dense/kernel'], true, 'l2t/kernel'),
      'l2t/bias': tf.variable(params['dense/bias'], true, 'l2t/bias'),
    };
    const penalty = l2(0.3, {mask: {include: '**/kernel'}});
    const {value, grads} = tf.variableGrads(() => penalty(vars), Object.values(vars));
    expect(Object.keys(grads)).toEqual(['l2t/kernel']);
    expectClose(grads['l2t/kernel'], kData.map((w) => 2 * 0.3 * w));
    tf.dispose([value, grads, Object.values(vars)]);
  });

  it('matches PyTorch coupled weight_decay with scale = weight_decay / 2', () => {
    // PyTorch SGD adds weight_decay · p to the gradient; grad of (wd/2)·Σp² is wd · p
    const wd = 1e-2;
    const g = tf.grad((k: tf.Tensor) => l2(wd / 2)({k}))(params['dense/kernel']);
    expectClose(g, kData.map((w) => wd * w));
    g.dispose();
  });

  it('gives 0 when nothing is selected, and leaks nothing', async () => {
    expectClose(l2(1, {mask: {exclude: () => true}})(params), 0);
    await expectNoLeak(() => l2(0.1)(params));
  });
});

describe('l2 arguments', () => {
  it('rejects bad scales and options naming the value', () => {
    expect(() => l2(-1)).toThrow('l2: scale must be a finite number >= 0, got -1');
    expect(() => l2(NaN)).toThrow('l2: scale must be a finite number >= 0, got NaN');
    expect(() => l2('0.1' as never)).toThrow("l2: scale must be a finite number >= 0, got \"0.1\"");
    expect(() => l2(0.1, {maks: {}} as never)).toThrow("l2: unknown option 'maks' in opts");
    expect(() => l2(0.1)([tf.scalar(1)] as never)).toThrow('l2: params must be a map of tensors by name');
    expect(() => l2(0.1)({a: 1} as never)).toThrow("l2: params[\"a\"] must be a tf.Tensor, got 1");
  });
});
