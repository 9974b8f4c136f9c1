import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {normal} from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('1e6 samples: mean and std within 1%, untruncated tails, seeded draws repeat', () => {
    const w = normal({mean: 2, std: 0.5})([1001, 999], {seed: 11}); // odd size: exercises the Box-Muller split
    const d = w.dataSync();
    let s = 0;
    let s2 = 0;
    let beyond4 = 0;
    for (let i = 0; i < d.length; i++) {
      s += d[i];
      s2 += d[i] * d[i];
      if (Math.abs(d[i] - 2) > 4 * 0.5) beyond4++;
    }
    const mean = s / d.length;
    const std = Math.sqrt(s2 / d.length - mean * mean);
    expect(Math.abs(std / 0.5 - 1)).toBeLessThan(0.01);
    expect(Math.abs(mean - 2)).toBeLessThan(5 * 0.5 / 1000); // 5 standard errors
    // P(|z| > 4) = 6.3e-5 for a normal: ~63 of 1e6 (a truncated draw would have none)
    expect(beyond4).toBeGreaterThan(30);
    expect(beyond4).toBeLessThan(110);
    const a = normal()([7, 3], {seed: 4});
    const b = normal()([7, 3], {seed: 4});
    expectClose(a, b, {rtol: 0, atol: 0});
    tf.dispose([w, a, b]);
  });

  it('rejects std <= 0 and does not leak', async () => {
    expect(() => normal({std: 0})).toThrow('normal: std must be a finite number > 0, got 0');
    expect(() => normal({mean: Infinity})).toThrow('normal: mean must be a finite number, got Infinity');
    await expectNoLeak(() => normal()([10, 10]));
  });
});
