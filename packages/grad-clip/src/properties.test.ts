// Property-based tests (fast-check) of the clipping invariants, checked in float64 on the host
// from the float32 tensors the functions return.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {describeBackends} from '@stable-train/testing';
import {clipByGlobalNorm} from './clip_by_global_norm';
import {clipByNorm} from './clip_by_norm';
import {clipByValue} from './clip_by_value';

const RUNS = 40;
/** 1 to 4 tensors of 1 to 12 elements, magnitudes from 1e-3 to 1e3. */
const gradsArb = fc
  .tuple(
    fc.array(fc.array(fc.double({min: -1, max: 1, noNaN: true}), {minLength: 1, maxLength: 12}), {minLength: 1, maxLength: 4}),
    fc.double({min: -3, max: 3, noNaN: true}),
  )
  .map(([arrays, e]) => arrays.map((a) => a.map((v) => v * 10 ** e)));
const maxNormArb = fc.double({min: 1e-2, max: 1e2, noNaN: true});

const toMap = (arrays: number[][]): tf.NamedTensorMap => Object.fromEntries(arrays.map((a, i) => [`t${i}`, tf.tensor1d(a)]));
const host = (m: tf.NamedTensorMap): number[][] => Object.values(m).map((t) => Array.from(t.dataSync()));
const norm64 = (arrays: number[][]) => Math.sqrt(arrays.flat().reduce((s, v) => s + v * v, 0));

describeBackends(['cpu', 'wasm'], () => {
  it('clipped global norm <= maxNorm (1 + 1e-6)', () => {
    fc.assert(
      fc.property(gradsArb, maxNormArb, (arrays, maxNorm) => {
        const g = toMap(arrays);
        const {grads, norm} = clipByGlobalNorm(g, maxNorm);
        const after = norm64(host(grads));
        tf.dispose([g, grads, norm]);
        return after <= maxNorm * (1 + 1e-6);
      }),
      {numRuns: RUNS},
    );
  });

  it('preserves the direction: clipped = c·g with one c in (0, 1] for all tensors', () => {
    fc.assert(
      fc.property(gradsArb, maxNormArb, (arrays, maxNorm) => {
        const g = toMap(arrays);
        const gIn = host(g).flat();
        const {grads, norm} = clipByGlobalNorm(g, maxNorm);
        const out = host(grads).flat();
        tf.dispose([g, grads, norm]);
        const gg = gIn.reduce((s, v) => s + v * v, 0);
        if (gg === 0) return out.every((v) => v === 0);
        const c = gIn.reduce((s, v, i) => s + v * out[i], 0) / gg;
        const scale = Math.sqrt(gg / gIn.length) || 1;
        return c > 0 && c <= 1 + 1e-7 && out.every((v, i) => Math.abs(v - c * gIn[i]) <= 1e-6 * c * Math.max(Math.abs(gIn[i]), scale));
      }),
      {numRuns: RUNS},
    );
  });

  it('is a no-op below the threshold (exactly)', () => {
    fc.assert(
      fc.property(gradsArb, fc.double({min: 1.001, max: 10, noNaN: true}), (arrays, factor) => {
        const g = toMap(arrays);
        const gIn = host(g);
        const maxNorm = norm64(gIn) * factor + 1e-5; // well above norm + eps
        const {grads, norm} = clipByGlobalNorm(g, maxNorm);
        const out = host(grads);
        tf.dispose([g, grads, norm]);
        return out.every((a, i) => a.every((v, j) => v === gIn[i][j]));
      }),
      {numRuns: RUNS},
    );
  });

  it('is idempotent (exactly up to float32 with eps 0; within eps/maxNorm with eps 1e-6, as PyTorch)', () => {
    fc.assert(
      fc.property(gradsArb, maxNormArb, fc.constantFrom(0, 1e-6), (arrays, maxNorm, eps) => {
        const g = toMap(arrays);
        const once = clipByGlobalNorm(g, maxNorm, {eps});
        const twice = clipByGlobalNorm(once.grads, maxNorm, {eps});
        const a = host(once.grads).flat();
        const b = host(twice.grads).flat();
        tf.dispose([g, once.grads, once.norm, twice.grads, twice.norm]);
        // second coefficient = maxNorm / (maxNorm·n/(n+eps) + eps) >= 1 - eps/maxNorm
        const rtol = 1e-6 + eps / maxNorm;
        const scale = Math.max(...a.map(Math.abs));
        return a.every((v, i) => Math.abs(b[i] - v) <= rtol * Math.max(Math.abs(v), 1e-3 * scale));
      }),
      {numRuns: RUNS},
    );
  });

  it('per-tensor clipByNorm bounds every tensor and clipByValue is idempotent', () => {
    fc.assert(
      fc.property(gradsArb, maxNormArb, (arrays, maxNorm) => {
        const g = toMap(arrays);
        const n = clipByNorm(g, maxNorm);
        const v = clipByValue(g, maxNorm / 10);
        const vv = clipByValue(v, maxNorm / 10);
        const ok =
          host(n).every((a) => norm64([a]) <= maxNorm * (1 + 1e-6)) &&
          host(vv).flat().every((x, i) => x === host(v).flat()[i]) &&
          host(v).flat().every((x) => Math.abs(x) <= Math.fround(maxNorm / 10));
        tf.dispose([g, n, v, vv]);
        return ok;
      }),
      {numRuns: RUNS},
    );
  });
});
