import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, loadGolden} from '@stable-train/testing';
import {truncatedNormal} from './index';
import {erf, normalCdf} from './normal_cdf';
import {erfinv} from './truncated_normal';

function moments(d: ArrayLike<number>): {mean: number; std: number; min: number; max: number} {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    s += d[i];
    s2 += d[i] * d[i];
    min = Math.min(min, d[i]);
    max = Math.max(max, d[i]);
  }
  const mean = s / d.length;
  return {mean, std: Math.sqrt(s2 / d.length - mean * mean), min, max};
}

describe('host normal CDF (float64)', () => {
  it('matches reference values', () => {
    // scipy.special.erf / scipy.stats.norm.cdf values
    expectClose(erf(1), 0.8427007929497149, {rtol: 1e-14, atol: 0});
    expectClose(erf(3), 0.9999779095030014, {rtol: 1e-14, atol: 0});
    expectClose(erf(-0.2), -0.22270258921047845, {rtol: 1e-14, atol: 0});
    expectClose(normalCdf(2), 0.9772498680518208, {rtol: 1e-14, atol: 0});
    expectClose(normalCdf(-3), 0.0013498980316300933, {rtol: 1e-10, atol: 0});
  });
});

describeBackends(['cpu', 'wasm'], () => {
  it('realised std of the PyTorch trunc_normal_ calls in initializers.json (formula 1e-12, sample 1%)', () => {
    const g = loadGolden('initializers');
    const calls = g.shapes[0].initializers.filter((i: {name: string}) => i.name.startsWith('trunc_normal'));
    expect(calls.length).toBe(2);
    for (const c of calls) {
      const s = c.param_std;
      const init = truncatedNormal({std: s, a: -2 * s, b: 2 * s});
      expectClose(init.stats([1]).std, c.expected_std, {rtol: 1e-12, atol: 0});
      const w = init([1000, 1000], {seed: 5});
      const m = moments(w.dataSync());
      expect(Math.abs(m.std / c.expected_std - 1)).toBeLessThan(0.01);
      expect(m.max).toBeLessThanOrEqual(Math.fround(c.expected_bound));
      expect(m.min).toBeGreaterThanOrEqual(Math.fround(-c.expected_bound));
      w.dispose();
    }
  });

  it('bounds are absolute (PyTorch default a=-2, b=2) and may be asymmetric', () => {
    const init = truncatedNormal({mean: 1, std: 2, a: 0, b: 1.5});
    const w = init([200, 500], {seed: 8});
    const m = moments(w.dataSync());
    const st = init.stats([1]);
    expect(st.low).toBe(0);
    expect(st.high).toBe(1.5);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.max).toBeLessThanOrEqual(1.5);
    // 1e5 samples: 3% (goldens README); mean too
    expect(Math.abs(m.std / st.std - 1)).toBeLessThan(0.03);
    expect(Math.abs(m.mean - st.mean)).toBeLessThan(0.01);
    expect(truncatedNormal().stats([1]).high).toBe(2);
    w.dispose();
  });

  it('erfinv inverts erf to float32 accuracy', () => {
    const xs = [-0.999999, -0.99, -0.7, -0.1, 0, 0.05, 0.5, 0.9, 0.9999, 0.999999];
    const y = erfinv(tf.tensor1d(xs));
    const back = Array.from(y.dataSync()).map(erf);
    expectClose(back, xs, {rtol: 2e-6, atol: 1e-7});
    y.dispose();
  });

  it('seeds repeat, errors are clear, no leak', async () => {
    const a = truncatedNormal()([4, 4], {seed: 1});
    const b = truncatedNormal()([4, 4], {seed: 1});
    expectClose(a, b, {rtol: 0, atol: 0});
    tf.dispose([a, b]);
    expect(() => truncatedNormal({a: 1, b: 1})).toThrow('truncatedNormal: b must be > a, got a 1 and b 1');
    expect(() => truncatedNormal({std: -1})).toThrow('truncatedNormal: std must be a finite number > 0, got -1');
    expect(() => truncatedNormal({a: 60, b: 70})).toThrow(/must have probability mass/);
    await expectNoLeak(() => truncatedNormal({std: 0.02, a: -0.04, b: 0.04})([30, 30]));
  });
});
