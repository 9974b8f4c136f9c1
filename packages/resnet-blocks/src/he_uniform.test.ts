import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {heUniform} from './he_uniform';
import {zerosInit} from './zeros_init';

describeBackends(['cpu', 'wasm'], () => {
  it('heUniform draws from U(-sqrt(6/fan_in), sqrt(6/fan_in)) with std sqrt(2/fan_in)', async () => {
    // conv [3, 3, 16, 32]: fan_in = 144 (initializers.json: receptive field included)
    const w = heUniform([3, 3, 16, 32]);
    const d = await w.data();
    const bound = Math.sqrt(6 / 144);
    expect(Math.max(...Array.from(d, Math.abs))).toBeLessThanOrEqual(bound);
    const std = Math.sqrt(Array.from(d).reduce((a, v) => a + v * v, 0) / d.length);
    expect(Math.abs(std / Math.sqrt(2 / 144) - 1)).toBeLessThan(0.05); // 4608 samples: ~1% noise
    w.dispose();
    const z = zerosInit([4]);
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0]);
    z.dispose();
    await expectNoLeak(() => tf.tidy(() => heUniform([5, 5])));
  });
});

describe('initializer validation', () => {
  it('names the function, the argument and the value', () => {
    expect(() => heUniform([3, 0])).toThrow('heUniform: shape must be a non-empty array of integers > 0, got [3, 0]');
    expect(() => zerosInit([-1])).toThrow('zerosInit: shape must be an array of integers >= 0, got [-1]');
  });
});
