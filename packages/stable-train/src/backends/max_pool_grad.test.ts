// MaxPool gradient on wasm/cpu (override) vs the STOCK cpu MaxPoolGrad kernel run directly,
// with negative inputs and ties (small integers), overlapping windows and 'same' padding.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {registerTrainingKernels} from './register_training_kernels';

interface Case { n: number; h: number; w: number; c: number; f: [number, number]; s: [number, number]; pad: 'valid' | 'same'; x: number[] }

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({min: 1, max: 2}), h: fc.integer({min: 1, max: 7}), w: fc.integer({min: 1, max: 7}), c: fc.integer({min: 1, max: 3}),
    f: fc.tuple(fc.integer({min: 1, max: 3}), fc.integer({min: 1, max: 3})),
    s: fc.tuple(fc.integer({min: 1, max: 3}), fc.integer({min: 1, max: 3})),
    pad: fc.constantFrom<'valid' | 'same'>('valid', 'same'),
    neg: fc.boolean(),
    seed: fc.integer({min: 1, max: 1e9}),
  })
  .filter((r) => r.pad === 'same' || (r.h >= r.f[0] && r.w >= r.f[1]))
  .map(({neg, seed, ...r}) => {
    let st = seed;
    const x = Array.from({length: r.n * r.h * r.w * r.c}, () => {
      st = (st * 1664525 + 1013904223) >>> 0;
      // all-negative windows half of the time; small integers give ties
      return neg ? -1 - (st % 5) : (st % 7) - 3 + (st % 3 === 0 ? 0.25 : 0);
    });
    return {...r, x};
  });

async function ours(backend: 'wasm' | 'cpu', c: Case) {
  await useBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(c.x, [c.n, c.h, c.w, c.c]);
    const y = tf.maxPool(x, c.f, c.s, c.pad);
    const dy = tf.add(tf.reshape(tf.range(0, y.size), y.shape), 1);
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.f, c.s, c.pad), dy)))(x).dataSync();
  });
}

async function stockCpu(c: Case) {
  await useBackend('cpu');
  return tf.tidy(() => {
    const x = tf.tensor4d(c.x, [c.n, c.h, c.w, c.c]);
    const y = tf.maxPool(x, c.f, c.s, c.pad);
    const dy = tf.add(tf.reshape(tf.range(0, y.size), y.shape), 1);
    const attrs = {filterSize: c.f, strides: c.s, pad: c.pad} as unknown as tf.NamedAttrMap;
    return (tf.engine().runKernel('MaxPoolGrad', {dy, input: x, output: y}, attrs) as tf.Tensor).dataSync();
  });
}

beforeAll(() => {
  registerTrainingKernels();
});

describe('maxPool gradient override', () => {
  it('routes to the true arg-max for negative windows (stock wasm sends it to the first element)', async () => {
    await useBackend('wasm');
    const x = tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1]);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x);
    expectClose(dx, [0, 1, 0, 0]);
    tf.dispose([x, dx]);
  });

  it('wasm and cpu equal the stock cpu MaxPoolGrad (negatives, ties, overlap, same/valid)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const ref = await stockCpu(c);
        for (const backend of ['wasm', 'cpu'] as const) expectClose(await ours(backend, c), ref, {rtol: 1e-6, atol: 0});
      }),
      {numRuns: 40, seed: 99},
    );
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.randomNormal([2, 6, 6, 3]) as tf.Tensor4D;
    await expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same')))(x));
    x.dispose();
  });
});
