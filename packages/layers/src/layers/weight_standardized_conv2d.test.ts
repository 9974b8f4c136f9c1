// Conv training needs Conv2DBackpropFilter, which tfjs-wasm 4.22 lacks: kernel gradients are
// checked on cpu only; the forward pass and the input gradient on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import {WeightStandardization, weightStandardization} from '@stable-train/batchnorm';
import {describeBackends, expectClose} from '@stable-train/testing';
import {weightStandardizedConv2d} from './weight_standardized_conv2d';
import {build, setWeights, weight} from '../../test/golden_layer';

const CASES = [
  {what: "3x3 'same', stride 1, relu", args: {filters: 3, kernelSize: 3, padding: 'same' as const, activation: 'relu' as const}, stride: 1, pad: 'same' as const, dil: 1, act: tf.relu},
  {what: "2x3 'valid', stride 2, dilation 1, linear", args: {filters: 2, kernelSize: [2, 3] as [number, number], strides: 2, padding: 'valid' as const}, stride: 2, pad: 'valid' as const, dil: 1, act: (t: tf.Tensor) => t},
  {what: "3x3 'valid', dilation 2, eps 1e-3", args: {filters: 2, kernelSize: 3, dilationRate: 2, epsilon: 1e-3}, stride: 1, pad: 'valid' as const, dil: 2, act: (t: tf.Tensor) => t, eps: 1e-3, noGrad: true},
];

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const c of CASES) {
    // tfjs-core 4.22's conv2d gradient refuses dilations > 1: that case is forward only
    const grads = !('noGrad' in c);
    it(`same numbers as WeightStandardization.conv2d: ${c.what} (forward${grads ? ', dx' : ''}${grads && backend === 'cpu' ? ', dkernel, dbias' : ''})`, () => {
      const layer = weightStandardizedConv2d(c.args);
      const x = tf.randomNormal([2, 7, 6, 2]);
      build(layer, x.shape);
      const kShape = weight(layer, 'kernel').shape as number[];
      const kernel = tf.randomNormal(kShape);
      const bias = tf.randomNormal([c.args.filters]);
      setWeights(layer, {kernel, bias});
      const ws = new WeightStandardization({eps: c.eps ?? 1e-6});
      const ref = (v: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
        c.act(tf.add(ws.conv2d(v as tf.Tensor4D, k as tf.Tensor4D, c.stride, c.pad, c.dil), b));
      const y = layer.apply(x) as tf.Tensor;
      const yRef = ref(x, kernel, bias);
      expect(y.shape).toEqual(yRef.shape);
      expect(y.shape).toEqual(layer.computeOutputShape(x.shape) as number[]);
      expectClose(y, yRef, {rtol: 1e-5, atol: 1e-5});
      const up = tf.randomNormal(y.shape);
      if (!grads) {
        tf.dispose([x, kernel, bias, y, yRef, up]);
        layer.dispose();
        return;
      }
      const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, up)))(x);
      const dxRef = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(ref(v, kernel, bias), up)))(x);
      expectClose(dx, dxRef, {rtol: 1e-4, atol: 1e-5});
      if (backend === 'cpu') {
        const kv = weight(layer, 'kernel').read() as tf.Variable;
        const bv = weight(layer, 'bias').read() as tf.Variable;
        const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, up)) as tf.Scalar, [kv, bv]);
        const [dk, db] = tf.grads((k: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ref(x, k, b), up)))([kernel, bias]);
        expectClose(grads[kv.name], dk, {rtol: 1e-4, atol: 1e-5});
        expectClose(grads[bv.name], db, {rtol: 1e-4, atol: 1e-5});
        tf.dispose([value, ...Object.values(grads), dk, db]);
      }
      tf.dispose([x, kernel, bias, y, yRef, up, dx, dxRef]);
      layer.dispose();
    });
  }

  it('the kernel it convolves with is weightStandardization(kernel): per filter mean 0, variance ~1', () => {
    const layer = weightStandardizedConv2d({filters: 4, kernelSize: 3, useBias: false});
    const x = tf.randomNormal([1, 5, 5, 3]);
    build(layer, x.shape);
    const k = weight(layer, 'kernel').read();
    const y = layer.apply(x) as tf.Tensor;
    const expected = tf.conv2d(x as tf.Tensor4D, weightStandardization(k, 1e-6) as tf.Tensor4D, 1, 'valid');
    expectClose(y, expected, {rtol: 1e-5, atol: 1e-5});
    tf.dispose([x, y, expected]);
    layer.dispose();
  });
});

describe('weightStandardizedConv2d: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => weightStandardizedConv2d({filters: 0, kernelSize: 3})).toThrow(/weightStandardizedConv2d: filters must be an integer >= 1, got 0/);
    expect(() => weightStandardizedConv2d({filters: 2} as never)).toThrow(/weightStandardizedConv2d: kernelSize must be an integer >= 1 or a pair of them, got undefined/);
    expect(() => weightStandardizedConv2d({filters: 2, kernelSize: 3, padding: 'causal' as never})).toThrow(/padding must be one of 'valid', 'same', got "causal"/);
    expect(() => weightStandardizedConv2d({filters: 2, kernelSize: 3, activation: 'softmax' as never})).toThrow(/activation must be one of .*got "softmax"/);
    expect(() => weightStandardizedConv2d({filters: 2, kernelSize: 3, epsilon: 0})).toThrow(/weightStandardizedConv2d: epsilon must be a finite number > 0, got 0/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
