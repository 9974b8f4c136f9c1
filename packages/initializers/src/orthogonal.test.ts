import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, loadGolden} from '@stable-train/testing';
import {orthogonal} from './index';

/**
 * max |WᵀW − gain²I| (tall) or max |WWᵀ − gain²I| (wide), W the [∏shape[:-1], shape[-1]] flattening
 * of the float32 result; the Gram matrix is formed on the host in float64 so that the measure adds no
 * rounding of its own (and the cpu backend's slow 512x784x512 matMul is avoided).
 */
function deviation(w: tf.Tensor, gain: number): number {
  const d = w.dataSync();
  const c = w.shape[w.shape.length - 1];
  const r = d.length / c;
  const tall = r >= c;
  const k = tall ? c : r; // Gram size
  const len = tall ? r : c; // length of the vectors dotted
  // vectors: columns of W (tall) or rows of W (wide), copied contiguous in float64
  const vec: Float64Array[] = [];
  for (let a = 0; a < k; a++) {
    const v = new Float64Array(len);
    for (let i = 0; i < len; i++) v[i] = tall ? d[i * c + a] : d[a * c + i];
    vec.push(v);
  }
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let s = 0;
      const va = vec[a];
      const vb = vec[b];
      for (let i = 0; i < len; i++) s += va[i] * vb[i];
      worst = Math.max(worst, Math.abs(s - (a === b ? gain * gain : 0)));
    }
  }
  return worst;
}

describeBackends(['cpu', 'wasm'], () => {
  const golden = loadGolden('initializers');
  for (const s of golden.shapes) {
    const kind = s.tf_shape.length > 2 ? 'conv' : s.orthogonal[0].property.startsWith('W W^T') ? 'wide' : 'tall';
    it(`${kind} ${JSON.stringify(s.tf_shape)}: property and rms of initializers.json for gains 1 and sqrt 2`, () => {
      // the gain only scales Q (checked on every smaller shape): one QR of the ~4e5-element case suffices
      const cases = s.tf_shape.reduce((a: number, b: number) => a * b, 1) >= 1e5 ? s.orthogonal.slice(-1) : s.orthogonal;
      for (const o of cases) {
        const init = orthogonal({gain: o.gain});
        const w = init(s.tf_shape, {seed: 17});
        expect(w.shape).toEqual(s.tf_shape);
        const n = o.tf_flattened_shape[0] * o.tf_flattened_shape[1];
        // goldens README: 1e-5 for small matrices, 1e-4 for ~1e5 elements (float32); scales with gain²
        const tol = (n >= 1e5 ? 1e-4 : 1e-5) * o.gain * o.gain;
        expect(deviation(w, o.gain)).toBeLessThan(tol);
        const d = w.dataSync();
        let ss = 0;
        for (let i = 0; i < d.length; i++) ss += d[i] * d[i];
        expectClose(Math.sqrt(ss / d.length), o.expected_rms, {rtol: 1e-5, atol: 0});
        expectClose(init.stats(s.tf_shape).std, o.expected_rms, {rtol: 1e-12, atol: 0});
        w.dispose();
      }
    });
  }

  it('rank 3 and 5 kernels, seeds reproduce and differ, unseeded works', () => {
    const a = orthogonal()([5, 4, 12], {seed: 1});
    const b = orthogonal()([5, 4, 12], {seed: 1});
    const c = orthogonal()([5, 4, 12], {seed: 2});
    expectClose(a, b, {rtol: 0, atol: 0});
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expect(deviation(a, 1)).toBeLessThan(1e-5);
    const d = orthogonal({gain: 2})([2, 2, 2, 3, 4]);
    expect(deviation(d, 2)).toBeLessThan(4e-5);
    tf.dispose([a, b, c, d]);
  });

  it('is Haar-like: the sign correction makes E[w] = 0 (diag of Q not biased)', () => {
    // without sign(diag R) Householder QR gives Q[0][0] < 0 always; with it, both signs appear
    let positive = 0;
    for (let seed = 0; seed < 40; seed++) {
      const w = orthogonal()([6, 6], {seed});
      if (w.dataSync()[0] > 0) positive++;
      w.dispose();
    }
    expect(positive).toBeGreaterThan(8);
    expect(positive).toBeLessThan(32);
  });

  it('errors and leaks', async () => {
    expect(() => orthogonal({gain: 0})).toThrow('orthogonal: gain must be a finite number > 0, got 0');
    expect(() => orthogonal()([8])).toThrow('orthogonal: shape must have rank >= 2, got [8] (rank 1)');
    expect(() => orthogonal()([8, 0])).toThrow(/positive integers, got \[8, 0\]/);
    await expectNoLeak(() => orthogonal()([20, 10], {seed: 3}));
  });
});
