import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {hostSumPath, hostSumsOfSquaredDifferences, hostSumsOfSquares, sumOfSquares} from './sum_of_squares';

/** Σx² in float64 from the values (the reference). */
const exact = (t: tf.Tensor): number => Array.from(t.dataSync()).reduce((s, v) => s + v * v, 0);

describeBackends(['cpu', 'wasm'], (backend) => {
  const big = tf.randomNormal([300, 200], 0, 3, 'float32', 5); // large enough for the GEMM form on WASM
  const small = tf.tensor1d([3, -4, 0.5]);
  afterAll(() => tf.dispose([big, small]));

  it('sumOfSquares equals Σx² (any size, int32 cast, empty = 0) and leaks nothing', async () => {
    for (const t of [big, small]) expect(sumOfSquares(t).dataSync()[0]).toBeCloseTo(exact(t), -Math.log10(exact(t) * 1e-5));
    expect(sumOfSquares(tf.tensor1d([1, 2], 'int32')).dataSync()[0]).toBe(5);
    expect(sumOfSquares(tf.zeros([0, 4])).dataSync()[0]).toBe(0);
    expect(sumOfSquares(tf.tensor1d([1, NaN])).dataSync()[0]).toBeNaN();
    await expectNoLeak(() => sumOfSquares(big));
  });

  it(backend === 'wasm' ? 'host sums read the WASM heap: exact in float64, NaN/Infinity kept' : 'host sums are not available off WASM (null)', async () => {
    const before = tf.add(big, 0.25);
    const odd = tf.randomNormal([1001], 0, 2, 'float32', 9);
    const host = hostSumsOfSquares([big, small, odd]);
    const diff = hostSumsOfSquaredDifferences([big, small], [before, tf.zeros([3])]);
    expect(hostSumPath()).toBe(backend === 'wasm' ? 'simd' : null); // Node has WebAssembly SIMD
    if (backend !== 'wasm') {
      expect(host).toBeNull();
      expect(diff).toBeNull();
    } else {
      // float64 accumulation of float32 values: equal to the reference up to the order of the adds
      expect(host![0]).toBeCloseTo(exact(big), 6);
      expect(host![1]).toBe(25.25);
      expect(host![2]).toBeCloseTo(exact(odd), 8); // the SIMD kernel's 8-float blocks and the tail
      // (a−b) in float64 here, in float32 on the device: equal to 1e-6 relative
      const ref = exact(tf.sub(big, before));
      expect(Math.abs(diff![0] - ref) / ref).toBeLessThan(1e-6);
      expect(diff![1]).toBe(25.25);
      expect(hostSumsOfSquares([tf.tensor1d([1, NaN, 2])])![0]).toBeNaN();
      expect(hostSumsOfSquares([tf.tensor1d([1, Infinity])])![0]).toBe(Infinity);
      // float32 values whose float32 Σx² overflows stay finite in float64
      expect(hostSumsOfSquares([tf.tensor1d([3e30, 4e30])])![0]).toBeCloseTo(2.5e61, -55);
      expect(hostSumsOfSquares([tf.tensor1d([1, 2], 'int32')])).toBeNull();
    }
    await expectNoLeak(() => {
      hostSumsOfSquares([big]);
    });
    tf.dispose([before, odd]);
  });
});
