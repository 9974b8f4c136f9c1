import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {dropPath, linearDropRate} from './drop_path';

describeBackends(['cpu', 'wasm'], () => {
  it('training: per-sample keep rate 1 − rate, kept samples scaled by 1/keep, whole sample at once', () => {
    const [n, rate] = [20000, 0.3];
    const keep = 1 - rate;
    const x = tf.ones([n, 2, 3]);
    const y = dropPath(x, {rate, training: true, seed: 5});
    const d = y.dataSync();
    let kept = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(d.subarray(i * 6, i * 6 + 6));
      // one draw per sample: all 6 values equal, either 0 or exactly 1/keep (float32)
      expect(new Set(row).size).toBe(1);
      if (row[0] !== 0) {
        expect(row[0]).toBeCloseTo(1 / keep, 6);
        kept++;
      }
      sum += row[0];
    }
    // kept ~ Binomial(n, keep): sd of the kept fraction √(keep(1−keep)/n) = 3.24e-3; bound 5 sd = 0.0162
    expect(Math.abs(kept / n - keep)).toBeLessThan(5 * Math.sqrt((keep * (1 - keep)) / n));
    // unbiased: E[y] = x = 1; Var(y) = (1 − keep)/keep = 0.4286, sd of the mean √(0.4286/n) = 4.6e-3; bound 5 sd
    expect(Math.abs(sum / n - 1)).toBeLessThan(5 * Math.sqrt((1 - keep) / keep / n));
    tf.dispose([x, y]);
  });

  it('inference and rate 0 are the identity; rate 1 zeroes; seeded draws repeat; gradient = mask / keep', () => {
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 2);
    const xs = x.dataSync();
    for (const y of [dropPath(x, {rate: 0.5, training: false}), dropPath(x, {rate: 0, training: true})]) {
      expectClose(y, xs, {rtol: 0, atol: 0});
      y.dispose();
    }
    const z = dropPath(x, {rate: 1, training: true});
    expectClose(z, new Array(32).fill(0), {atol: 0});
    const a = dropPath(x, {rate: 0.5, training: true, seed: 11});
    const b = dropPath(x, {rate: 0.5, training: true, seed: 11});
    expectClose(a, b.dataSync(), {rtol: 0, atol: 0});
    // d/dx sum(dropPath(x)) = mask/keep, i.e. a / x where x ≠ 0 (same seed → same mask)
    const g = tf.grad((t: tf.Tensor) => tf.sum(dropPath(t, {rate: 0.5, training: true, seed: 11})))(x);
    const gd = g.dataSync();
    const ad = a.dataSync();
    for (let i = 0; i < 32; i++) expect(gd[i]).toBeCloseTo(ad[i] === 0 ? 0 : 2, 6);
    tf.dispose([x, z, a, b, g]);
  });

  it('leaks nothing', async () => {
    const x = tf.ones([4, 3]);
    await expectNoLeak(() => dropPath(x, {rate: 0.2, training: true}));
    await expectNoLeak(() => dropPath(x, {rate: 0.2, training: false}));
    x.dispose();
  });
});

describe('dropPath arguments, linearDropRate', () => {
  it('names the bad argument and value', () => {
    const x = tf.ones([2, 2]);
    expect(() => dropPath(x, {rate: 1.5, training: true})).toThrow('dropPath: rate must be a number in [0, 1], got 1.5');
    expect(() => dropPath(x, {rate: 0.1} as never)).toThrow('dropPath: training must be true or false, got undefined');
    expect(() => dropPath(x, {rate: 0.1, training: true, seed: NaN})).toThrow('dropPath: seed must be a finite number, got NaN');
    expect(() => dropPath(tf.scalar(1), {rate: 0.1, training: true})).toThrow('dropPath: x must have a batch axis (rank >= 1), got a scalar');
    x.dispose();
  });

  it('rises linearly from 0 to the rate (timm linspace)', () => {
    expect([0, 1, 2, 3, 4].map((i) => linearDropRate(0.2, i, 5))).toEqual([0, 0.05, 0.1, 0.15000000000000002, 0.2]);
    expect(linearDropRate(0.3, 0, 1)).toBe(0);
  });
});
