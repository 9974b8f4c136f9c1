import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose} from '@stable-train/testing';
import {refBlock} from '../test/conv_reference';
import {ref, refLayers} from '../test/ref_layers';
import {bottleneck} from './bottleneck';

const randomBias = (s: number[]) => tf.randomNormal(s, 0, 0.5);

describeBackends(['cpu', 'wasm'], () => {
  for (const c of [
    {what: 'identity shortcut (in = filters * expansion)', inChannels: 8, stride: 1},
    {what: 'projection (stride 2, 3 -> 8 channels)', inChannels: 3, stride: 2},
  ]) {
    it(`forward matches a float64 loop reference: ${c.what}`, () => {
      const b = bottleneck({name: 'bn', filters: 2, expansion: 4, inChannels: c.inChannels, stride: c.stride, gate: {init: 0.3}, biasInit: randomBias});
      expect(b.outChannels).toBe(8);
      const x = tf.randomNormal([2, 4, 4, c.inChannels]);
      const y = b.apply(x, {training: true});
      // the stride sits on the 3x3 conv (torchvision v1.5 / timm)
      const {layers, shortcut} = refLayers(b, ['conv1', 'conv2', 'conv3'], [1, c.stride, 1]);
      const expected = refBlock(ref(x), layers, shortcut, 0.3);
      expect(y.shape).toEqual(expected.shape);
      expect(shortcut === null).toBe(c.stride === 1);
      expectClose(y, expected.data, {rtol: 1e-5, atol: 1e-5});
      tf.dispose([x, y]);
      b.dispose();
    });
  }

  it('with Fixup: L^(-1/4) on conv1 and conv2 (m = 3), zero conv3, identity at init', () => {
    const b = bottleneck({name: 'bfx', filters: 2, fixup: {numBlocks: 16}, kernelInit: (s) => tf.ones(s)});
    const v = new Map(b.variables.map((w) => [w.name, w]));
    // 16^(-1/(2*3-2)) = 0.5
    expectClose(v.get('bfx/conv1/kernel')!, new Array(8 * 2).fill(0.5), {rtol: 0, atol: 0});
    expectClose(v.get('bfx/conv2/kernel')!, new Array(9 * 4).fill(0.5), {rtol: 0, atol: 0});
    expectClose(v.get('bfx/conv3/kernel')!, new Array(2 * 8).fill(0), {rtol: 0, atol: 0});
    expect([...v.keys()].filter((n) => n.includes('/fixup/'))).toEqual([
      'bfx/fixup/bias1', 'bfx/fixup/bias2', 'bfx/fixup/bias3', 'bfx/fixup/bias4', 'bfx/fixup/bias5', 'bfx/fixup/bias6', 'bfx/fixup/scale',
    ]);
    const x = tf.randomNormal([1, 3, 3, 8]);
    const y = b.apply(x, {training: true});
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
    b.dispose();
  });
});

describe('bottleneck validation', () => {
  it('rejects bad options before making any tensor and names the block in shape errors', () => {
    const before = tf.memory().numTensors;
    expect(() => bottleneck({name: 'b', filters: 2, expansion: 0})).toThrow('bottleneck(b): expansion must be an integer >= 1, got 0');
    expect(() => bottleneck({name: 'b', filters: 2, gate: 'off' as never})).toThrow(/bottleneck\(b\): gate must be/);
    expect(tf.memory().numTensors).toBe(before);
    const b = bottleneck({name: 'b', filters: 2});
    const x = tf.zeros([1, 2, 2, 2]);
    expect(() => b.apply(x, {training: false})).toThrow('bottleneck(b): input must be a float32 tensor of shape [batch, height, width, 8], got a tensor of dtype float32, shape [1,2,2,2]');
    tf.dispose(x);
    b.dispose();
  });
});
