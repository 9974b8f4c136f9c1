// matMul / fused matMul forward and gradients on wasm (untransposed-GEMM kernels, both plans) vs the
// STOCK BatchMatMul gradient on cpu (the cpu kernels are not wrapped).
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {batchMatMulGradConfig as stockMatMul} from '@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {registerTrainingKernels} from './register_training_kernels';
import {BATCHED_GEMM_SPLIT_MIN_WORK, gemmPlanCost} from './wasm_mat_mul_kernel';

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

  it('batched products large enough to split (one XNNPACK GEMM per entry) equal cpu, broadcasts included', async () => {
    interface Big { batchA: number[]; batchB: number[]; m: number; k: number; n: number; ta: boolean; tb: boolean; relu: boolean }
    const big: fc.Arbitrary<Big> = fc.record({
      batchA: fc.constantFrom<number[]>([2], [3], [2, 2], [1], []),
      batchB: fc.constantFrom<number[]>([2], [3], [2, 2], [1], []),
      m: fc.integer({min: 64, max: 72}), k: fc.integer({min: 64, max: 72}), n: fc.integer({min: 64, max: 72}),
      ta: fc.boolean(), tb: fc.boolean(), relu: fc.boolean(),
    }).filter((c) => {
      const [p, q] = [c.batchA.reduce((x, y) => x * y, 1), c.batchB.reduce((x, y) => x * y, 1)];
      const sameRank = c.batchA.length === c.batchB.length && c.batchA.every((d, i) => d === c.batchB[i]);
      return (p > 1 || q > 1) && (p === 1 || q === 1 || sameRank); // shapes that broadcast
    });
    await fc.assert(
      fc.asyncProperty(big, async (c) => {
        expect(c.m * c.k * c.n).toBeGreaterThanOrEqual(BATCHED_GEMM_SPLIT_MIN_WORK);
        const sa = [...c.batchA, ...(c.ta ? [c.k, c.m] : [c.m, c.k])];
        const sb = [...c.batchB, ...(c.tb ? [c.n, c.k] : [c.k, c.n])];
        // the batch both operands broadcast to; the reference broadcasts explicitly (tf.broadcastTo,
        // whose gradient sums back), so it checks the broadcast-aware matMul gradient too
        const batch = tf.backend_util.assertAndGetBroadcastShape(c.batchA, c.batchB);
        const run = (explicit: boolean) => tf.tidy(() => {
          const a = mk(sa, 0);
          const b = mk(sb, 1);
          const full = (x: tf.Tensor) => (explicit ? tf.broadcastTo(x, [...batch, ...x.shape.slice(-2)]) : x);
          // tfjs-core's fused matMul gradient cannot reduce broadcast batches: fused only unbroadcast
          const fused = c.relu && c.batchA.join() === c.batchB.join();
          const f = (p: tf.Tensor, q: tf.Tensor) => fused
            ? tf.fused.matMul({a: full(p) as tf.Tensor3D, b: full(q) as tf.Tensor3D, transposeA: c.ta, transposeB: c.tb, activation: 'relu'})
            : tf.matMul(full(p), full(q), c.ta, c.tb);
          const y = f(a, b);
          const dy = mk(y.shape, 2);
          const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), dy)))([a, b]);
          expect(da.shape).toEqual(sa);
          expect(db.shape).toEqual(sb);
          return [y.shape, y.dataSync(), da.dataSync(), db.dataSync()] as const;
        });
        await useBackend('cpu');
        const ref = run(true);
        await useBackend('wasm');
        tf.env().set('IS_TEST', false); // fused matMul's customGrad: see the fused test above
        try {
          const got = run(false);
          expect(got[0]).toEqual(ref[0]);
          // each value sums up to 4·72 products of O(1) terms in float32, in different orders
          // (XNNPACK vs cpu loops): absolute error up to ~300·6e-8 on near-cancelling sums
          for (let i = 1; i < 4; i++) expectClose(got[i] as Float32Array, ref[i] as Float32Array, {rtol: 1e-4, atol: 1e-4});
        } finally {
          tf.env().set('IS_TEST', true);
        }
      }),
      {numRuns: 12, seed: 13},
    );
  });

  it('x [B, m, k] · W [k, n] (PyTorch x @ W) gives W a [k, n] gradient, summed over the batch', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      tf.tidy(() => {
        const x = mk([2, 3, 4], 0);
        const w = mk([4, 5], 1);
        const dy = mk([2, 3, 5], 2);
        const [dx, dw] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q), dy)))([x, w]);
        expect(dw.shape).toEqual([4, 5]);
        // by hand: dW = Σ_b x_bᵀ·dy_b, dX_b = dy_b·Wᵀ
        const xb = tf.unstack(x);
        const db = tf.unstack(dy);
        expectClose(dw, tf.add(tf.matMul(xb[0], db[0], true, false), tf.matMul(xb[1], db[1], true, false)).dataSync(), tol);
        expectClose(dx, tf.matMul(dy, tf.broadcastTo(w, [2, 4, 5]), false, true).dataSync(), tol);
      });
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
    // the batched split: every piece and partial product is freed (no wasm buffer left behind)
    const [p3, q3] = [tf.randomNormal([3, 64, 64]), tf.randomNormal([3, 64, 64])];
    const heap = tf.backend() as unknown as {numDataIds(): number};
    const buffers = heap.numDataIds();
    await expectNoLeak(() => tf.matMul(p3, q3, true, false));
    expect(heap.numDataIds()).toBe(buffers);
    tf.dispose([p3, q3]);
    tf.dispose([a, b]);
  });
});
