import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {uniform} from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('1e6 samples: std (max-min)/sqrt(12) within 1%, inside [min, max), seeded draws repeat', () => {
    const init = uniform({min: -0.3, max: 0.1});
    const w = init([1000, 1000], {seed: 3});
    const d = w.dataSync();
    let s = 0;
    let s2 = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      s += d[i];
      s2 += d[i] * d[i];
      lo = Math.min(lo, d[i]);
      hi = Math.max(hi, d[i]);
    }
    const mean = s / d.length;
    const std = Math.sqrt(s2 / d.length - mean * mean);
    expect(Math.abs(std / (0.4 / Math.sqrt(12)) - 1)).toBeLessThan(0.01);
    expect(Math.abs(mean - -0.1)).toBeLessThan(0.001);
    expect(lo).toBeGreaterThanOrEqual(Math.fround(-0.3));
    expect(hi).toBeLessThanOrEqual(Math.fround(0.1));
    const st = init.stats([2]);
    expectClose([st.mean, st.std, st.low as number, st.high as number], [-0.1, 0.4 / Math.sqrt(12), -0.3, 0.1], {rtol: 1e-12, atol: 0});
    const a = init([5, 5], {seed: 9});
    const b = init([5, 5], {seed: 9});
    expectClose(a, b, {rtol: 0, atol: 0});
    tf.dispose([w, a, b]);
  });

  it('defaults to U(0, 1), rejects min >= max, does not leak', async () => {
    expect(uniform().stats([1]).low).toBe(0);
    expect(uniform().stats([1]).high).toBe(1);
    expect(() => uniform({min: 1, max: 1})).toThrow('uniform: max must be > min, got min 1 and max 1');
    expect(() => uniform({max: Infinity})).toThrow('uniform: max must be a finite number, got Infinity');
    await expectNoLeak(() => uniform()([10, 10], {seed: 1}));
  });
});
