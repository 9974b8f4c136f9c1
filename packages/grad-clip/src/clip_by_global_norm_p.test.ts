import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {gradListsV2, toMapV2, tolForV2} from '../test/golden_v2';
import {clipByGlobalNorm} from './clip_by_global_norm';
import {globalNorm} from './global_norm';

// clipByGlobalNorm / globalNorm with any p >= 1 (clip_v2.json: norm_type 3.0, 'inf', 1.0).
describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradListsV2()) {
    for (const c of list.clip_grad_norm) {
      it(`${list.name}: clip_grad_norm_(max_norm=${c.max_norm}, norm_type=${c.norm_type}) matches PyTorch 1.13`, () => {
        const grads = toMapV2(list);
        const {grads: clipped, norm} = clipByGlobalNorm(grads, c.max_norm, {normType: c.norm_type});
        expectClose(norm, c.total_norm, {rtol: 1e-5, atol: 0});
        list.tensors.forEach((t, i) => expectClose(clipped[t.name], goldenData(c.clipped_grads[i]), tolForV2(list)));
        const after = globalNorm(clipped, c.norm_type);
        expectClose(after, c.total_norm_after, {rtol: 1e-5, atol: 0});
        tf.dispose([grads, clipped, norm, after]);
      });
    }
  }

  it('p = 3 by hand, and the scaled form neither overflows nor underflows float32', () => {
    // (3³ + 4³ + 5³)^(1/3) = 216^(1/3) = 6 exactly
    const n = globalNorm({a: tf.tensor1d([3, -4]), b: tf.tensor1d([5])}, 3);
    expectClose(n, 6, {rtol: 1e-6});
    // 1e30³ overflows float32 and 1e-20³ underflows; the result must still be 2^(1/3)·x
    const big = globalNorm({a: tf.tensor1d([1e30, -1e30])}, 3);
    expectClose(big, 1e30 * Math.cbrt(2), {rtol: 1e-5});
    const tiny = globalNorm({a: tf.tensor1d([1e-20, 1e-20])}, 3);
    expectClose(tiny, 1e-20 * Math.cbrt(2), {rtol: 1e-5});
    // p = 1.5 equals the definition (1 + 2^1.5)^(1/1.5)
    const p15 = globalNorm({a: tf.tensor1d([1, 2])}, 1.5);
    expectClose(p15, Math.pow(1 + Math.pow(2, 1.5), 1 / 1.5), {rtol: 1e-5});
    // all zero → 0 (no 0/0); an infinite entry → Infinity, as PyTorch
    const zero = globalNorm({a: tf.zeros([3])}, 3);
    expectClose(zero, 0, {atol: 0});
    const inf = globalNorm({a: tf.tensor1d([1, Infinity])}, 3);
    expect(inf.dataSync()[0]).toBe(Infinity);
    tf.dispose([n, big, tiny, p15, zero, inf]);
  });

  it('leaks nothing for p = 3 and p = 2.5', () => {
    const grads = toMapV2(gradListsV2()[0]);
    expectNoLeak(() => {
      for (const normType of [3, 2.5]) {
        const r = clipByGlobalNorm(grads, 0.5, {normType});
        tf.dispose([r.grads, r.norm]);
      }
    });
    tf.dispose(grads);
  });
});

describe('clipByGlobalNorm normType checks', () => {
  it('rejects p < 1, NaN and other values before making a tensor', () => {
    const grads = {w: tf.ones([2])};
    for (const bad of [0.5, 0, -2, NaN, '2', 'max']) {
      expect(() => clipByGlobalNorm(grads, 1, {normType: bad as never})).toThrow(
        `clipByGlobalNorm: normType must be a finite number >= 1 or 'inf', got ${typeof bad === 'string' ? JSON.stringify(bad) : String(bad)}`,
      );
      expect(() => globalNorm(grads, bad as never)).toThrow(/globalNorm: normType must be a finite number >= 1/);
    }
    // Infinity is read as 'inf'
    const n = globalNorm({w: tf.tensor1d([1, -7])}, Infinity);
    expectClose(n, 7, {atol: 0});
    tf.dispose([grads, n]);
  });
});
