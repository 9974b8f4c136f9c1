import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {refBlock} from '../test/conv_reference';
import {ref, refLayers} from '../test/ref_layers';
import {BatchNorm} from '@stable-train/batchnorm';
import {residualConv} from './residual_conv';

const randomBias = (s: number[]) => tf.randomNormal(s, 0, 0.5);
const cases = [
  {what: 'identity shortcut', inChannels: 3, filters: 3, stride: 1, gate: 'none' as const, alpha: 1},
  {what: 'projection (stride 2, 2->3 channels), gate 0.5', inChannels: 2, filters: 3, stride: 2, gate: {init: 0.5}, alpha: 0.5},
  {what: 'projection (stride 2, odd size 5)', inChannels: 3, filters: 3, stride: 2, gate: 'none' as const, alpha: 1, size: 5},
];

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const c of cases) {
    it(`forward matches a float64 loop reference: ${c.what}`, () => {
      const b = residualConv({name: 'rc', filters: c.filters, inChannels: c.inChannels, stride: c.stride, gate: c.gate, biasInit: randomBias});
      const s = c.size ?? 4;
      const x = tf.randomNormal([2, s, s, c.inChannels]);
      const y = b.apply(x, {training: true});
      const {layers, shortcut} = refLayers(b, ['conv1', 'conv2'], [c.stride, 1]);
      const expected = refBlock(ref(x), layers, shortcut, c.alpha);
      expect(y.shape).toEqual(expected.shape);
      expect(shortcut === null).toBe(c.stride === 1 && c.inChannels === c.filters);
      expectClose(y, expected.data, {rtol: 1e-5, atol: 1e-5}); // float32 sums of <= 27 terms
      tf.dispose([x, y]);
      b.dispose();
    });
  }

  it('input gradient matches central differences of the float64 reference', () => {
    // wasm lacks Conv2DBackpropFilter but has Conv2DBackpropInput, so dx runs on both backends
    const b = residualConv({name: 'rcg', filters: 3, inChannels: 2, stride: 2, gate: {init: 0.7}, biasInit: randomBias});
    const x = tf.randomNormal([1, 4, 4, 2]);
    const up = tf.randomNormal([1, 2, 2, 3]);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(b.apply(v, {training: true}), up)))(x);
    const {layers, shortcut} = refLayers(b, ['conv1', 'conv2'], [2, 1]);
    const u = ref(up).data;
    const loss = (xd: number[]) => refBlock({shape: x.shape, data: xd}, layers, shortcut, 0.7).data.reduce((a, v, i) => a + v * u[i], 0);
    const x0 = ref(x).data;
    const fd = x0.map((_, i) => {
      const e = 1e-6;
      const p = x0.slice(); p[i] += e;
      const m = x0.slice(); m[i] -= e;
      return (loss(p) - loss(m)) / (2 * e);
    });
    expectClose(dx, fd, {rtol: 1e-4, atol: 1e-4});
    tf.dispose([x, up, dx]);
    b.dispose();
  });

  if (backend === 'cpu') {
    it('[cpu only: wasm has no Conv2DBackpropFilter] kernel gradients match central differences', () => {
      const b = residualConv({name: 'rck', filters: 2, inChannels: 2, stride: 1, gate: 'rezero', biasInit: randomBias});
      const alpha = b.variables.find((v) => v.name === 'rck/gate/alpha')!;
      alpha.assign(tf.scalar(0.8));
      const x = tf.randomNormal([1, 3, 3, 2]);
      const up = tf.randomNormal([1, 3, 3, 2]);
      const {grads, value} = tf.variableGrads(() => tf.sum(tf.mul(b.apply(x, {training: true}), up)));
      const {layers} = refLayers(b, ['conv1', 'conv2'], [1, 1]);
      const u = ref(up).data;
      const xr = ref(x);
      for (const [li, label] of ['conv1', 'conv2'].entries()) {
        const k0 = layers[li].kernel.data;
        const fd = k0.map((_, i) => {
          const at = (d: number) => {
            const ls = layers.map((l, j) => (j === li ? {...l, kernel: {shape: l.kernel.shape, data: k0.map((w, q) => (q === i ? w + d : w))}} : l));
            return refBlock(xr, ls, null, 0.8).data.reduce((a, v, q) => a + v * u[q], 0);
          };
          return (at(1e-6) - at(-1e-6)) / 2e-6;
        });
        expectClose(grads[`rck/${label}/kernel`], fd, {rtol: 1e-4, atol: 1e-4});
      }
      // dalpha = sum(up * F(x)) = (loss(alpha) - loss(0)) / alpha for the linear gate
      const f0 = refBlock(xr, layers, null, 0).data.reduce((a, v, q) => a + v * u[q], 0);
      const f1 = refBlock(xr, layers, null, 1).data.reduce((a, v, q) => a + v * u[q], 0);
      expectClose(grads['rck/gate/alpha'], f1 - f0, {rtol: 1e-4, atol: 1e-5});
      tf.dispose([x, up, value, ...Object.values(grads)]);
      b.dispose();
    });
  }

  it('gives its norms the right channels and names, and leaks nothing over 100 applies in variableGrads', async () => {
    const seen: [number, string][] = [];
    const b = residualConv({name: 'rcn', filters: 4, inChannels: 2, stride: 2, norm: (ch, nm) => (seen.push([ch, nm]), new BatchNorm({channels: ch, name: nm}))});
    expect(seen).toEqual([[2, 'rcn/norm1'], [4, 'rcn/norm2']]);
    expect(b.variables.map((v) => v.name)).toEqual([
      'rcn/norm1/gamma', 'rcn/norm1/beta', 'rcn/norm1/moving_mean', 'rcn/norm1/moving_variance',
      'rcn/norm2/gamma', 'rcn/norm2/beta', 'rcn/norm2/moving_mean', 'rcn/norm2/moving_variance',
      'rcn/conv1/kernel', 'rcn/conv1/bias', 'rcn/conv2/kernel', 'rcn/conv2/bias', 'rcn/shortcut/kernel',
    ]);
    const x = tf.randomNormal([2, 4, 4, 2]);
    await expectNoLeak(() => {
      for (let i = 0; i < 100; i++) {
        // gradient w.r.t. x only (runs on wasm too); the kernels' gradients are covered on cpu above
        const dx = tf.grad((v: tf.Tensor) => tf.sum(b.apply(v, {training: true})))(x);
        dx.dispose();
      }
    });
    tf.dispose(x);
    b.dispose();
  });
});

describe('residualConv validation', () => {
  it('rejects bad options before making any tensor, naming the block', () => {
    const before = tf.memory().numTensors;
    expect(() => residualConv({name: 's1/b0', filters: 0})).toThrow('residualConv(s1/b0): filters must be an integer >= 1, got 0');
    expect(() => residualConv({name: 's1/b0', filters: 4, stride: 0})).toThrow('residualConv(s1/b0): stride must be an integer >= 1, got 0');
    expect(() => residualConv({name: 's1/b0', filters: 4, inChannels: -1})).toThrow(/inChannels must be an integer >= 1, got -1/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the block in shape errors', () => {
    const b = residualConv({name: 'stage2/block0', filters: 4, inChannels: 2});
    const x = tf.zeros([1, 4, 4, 3]);
    expect(() => b.apply(x, {training: false})).toThrow('residualConv(stage2/block0): input must be a float32 tensor of shape [batch, height, width, 2], got a tensor of dtype float32, shape [1,4,4,3]');
    const x2 = tf.zeros([4, 2]);
    expect(() => b.apply(x2, {training: false})).toThrow(/residualConv\(stage2\/block0\): input must be a float32 tensor of shape/);
    tf.dispose([x, x2]);
    b.dispose();
  });
});
