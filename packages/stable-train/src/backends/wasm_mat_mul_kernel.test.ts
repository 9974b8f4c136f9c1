// matMul / fused matMul forward and gradients on wasm (untransposed-GEMM kernels, both plans) vs the
// STOCK BatchMatMul gradient on cpu (the cpu kernels are not wrapped).
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {batchMatMulGradConfig as stockMatMul} from '@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {registerTrainingKernels} from './register_training_kernels';
import {gemmPlanCost} from './wasm_mat_mul_kernel';

interface Case { batch: number[]; m: number; k: number; n: number; ta: boolean; tb: boolean }
const caseArb: fc.Arbitrary<Case> = fc.record({
  batch: fc.constantFrom<number[]>([], [2], [2, 3]),
  m: fc.integer({min: 1, max: 9}), k: fc.integer({min: 1, max: 9}), n: fc.integer({min: 1, max: 9}),
  ta: fc.boolean(), tb: fc.boolean(),
});
const mk = (shape: number[], phase: number) => tf.sin(tf.add(tf.mul(tf.reshape(tf.range(0, shape.reduce((p, q) => p * q, 1)), shape), 0.37), phase));
const shapes = (c: Case) => ({
  a: [...c.batch, ...(c.ta ? [c.k, c.m] : [c.m, c.k])], b: [...c.batch, ...(c.tb ? [c.n, c.k] : [c.k, c.n])],
});
const tol = {rtol: 1e-4, atol: 1e-5};

beforeAll(() => {
  registerTrainingKernels();
});

describe('wasm untransposed GEMM kernels', () => {
  it('forward and gradients of matMul (all transpose flags, batched) equal stock cpu', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const s = shapes(c);
        await useBackend('cpu');
        const ref = tf.tidy(() => {
          const a = mk(s.a, 0);
          const b = mk(s.b, 1);
          const y = tf.matMul(a, b, c.ta, c.tb);
          const dy = mk(y.shape, 2);
          const g = stockMatMul.gradFunc(dy, [a, b], {transposeA: c.ta, transposeB: c.tb} as unknown as tf.NamedAttrMap);
          return [y.dataSync(), (g.a as () => tf.Tensor)().dataSync(), (g.b as () => tf.Tensor)().dataSync()];
        });
        for (const backend of ['wasm', 'cpu'] as const) {
          await useBackend(backend);
          const got = tf.tidy(() => {
            const a = mk(s.a, 0);
            const b = mk(s.b, 1);
            const y = tf.matMul(a, b, c.ta, c.tb);
            const dy = mk(y.shape, 2);
            const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, c.ta, c.tb), dy)))([a, b]);
            return [y.dataSync(), da.dataSync(), db.dataSync()];
          });
          got.forEach((g, i) => expectClose(g, ref[i], tol));
        }
      }),
      {numRuns: 30, seed: 11},
    );
  });

  it('fused matMul (bias, linear/relu, transposes) has the same gradients on wasm as on cpu', async () => {
    // IS_TEST makes the engine flag the customGrad inside tf.fused.matMul as a kernel "leak" on
    // wasm even with stock tfjs (false positive: its intermediates are tracked tensors)
    tf.env().set('IS_TEST', false);
    await fc.assert(
      fc.asyncProperty(caseArb.filter((c) => c.batch.length === 0), fc.constantFrom<'linear' | 'relu'>('linear', 'relu'), async (c, act) => {
        const s = shapes(c);
        const run = () => tf.tidy(() => {
          const a = mk(s.a, 0);
          const b = mk(s.b, 1);
          const bias = mk([c.n], 3);
          const dy = mk([c.m, c.n], 2);
          const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) =>
            tf.sum(tf.mul(tf.fused.matMul({a: p as tf.Tensor2D, b: q as tf.Tensor2D, bias: r, transposeA: c.ta, transposeB: c.tb, activation: act}), dy));
          return tf.grads(f)([a, b, bias]).map((t) => t.dataSync());
        });
        await useBackend('cpu');
        const ref = run();
        await useBackend('wasm');
        run().forEach((g, i) => expectClose(g, ref[i], tol));
      }),
      {numRuns: 20, seed: 12},
    ).finally(() => tf.env().set('IS_TEST', true));
  });

  it('plans: dy·Wᵀ with a square hidden W is swapped, hᵀ·dy and untransposed products are direct', () => {
    // hand-counted elements moved (see wasm_mat_mul_kernel.ts): m=128, k=n=512, B transposed
    expect(gemmPlanCost(128, 512, 512, false, true)).toEqual({direct: 2 * 512 * 512, swapped: 3 * 128 * 512});
    // dW = hᵀ·dy with h 128×784, dy 128×512: m=784, k=128, n=512, A transposed
    const dw = gemmPlanCost(784, 128, 512, true, false);
    expect(dw.direct).toBeLessThan(dw.swapped);
    const plain = gemmPlanCost(3, 4, 5, false, false);
    expect(plain.direct).toBeLessThan(plain.swapped);
  });

  it('swapped plan: matMul(a, b, false, true) and fused relu without bias equal cpu on shapes that pick it', async () => {
    const cases: [number, number, number][] = [[2, 16, 16], [3, 40, 24], [1, 9, 30]];
    for (const [m, k, n] of cases) {
      expect(gemmPlanCost(m, k, n, false, true).swapped).toBeLessThan(gemmPlanCost(m, k, n, false, true).direct);
      const run = () => tf.tidy(() => {
        const a = mk([m, k], 0);
        const b = mk([n, k], 1);
        const dy = mk([m, n], 2);
        const plainY = tf.matMul(a, b, false, true);
        const f = (p: tf.Tensor, q: tf.Tensor) =>
          tf.sum(tf.mul(tf.fused.matMul({a: p as tf.Tensor2D, b: q as tf.Tensor2D, transposeB: true, activation: 'relu'}), dy));
        return [plainY.dataSync(), ...tf.grads(f)([a, b]).map((t) => t.dataSync())];
      });
      await useBackend('cpu');
      const ref = run();
      await useBackend('wasm');
      tf.env().set('IS_TEST', false); // see the fused test above
      try {
        run().forEach((g, i) => expectClose(g, ref[i], tol));
      } finally {
        tf.env().set('IS_TEST', true);
      }
    }
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const a = tf.randomNormal([5, 7]);
    const b = tf.randomNormal([7, 3]);
    await expectNoLeak(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q, false, false)))([a, b]));
    await expectNoLeak(() => tf.matMul(a, a, true, false));
    const [x, w] = [tf.randomNormal([2, 16]), tf.randomNormal([40, 16])];
    await expectNoLeak(() => tf.matMul(x, w, false, true)); // swapped plan
    await expectNoLeak(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.matMul(p, q, false, true)))([x, w]));
    tf.dispose([x, w]);
    tf.dispose([a, b]);
  });
});
