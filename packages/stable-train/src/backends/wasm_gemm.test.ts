// stable-train's WASM GEMM kernel (scripts/gemm_wat.ts, run by ./wasm_gemm.ts) and the Sum kernel
// built on it: every output checked BIT-EXACT against the float32 sum the kernel documents,
//   C[i, j] = clamp(fround(Σ_p in increasing p, fround(s + fround(A[i,p]·B[p,j]))) + bias[j]), lo, hi)
// (hand-written reference below), for all transpose flags, leftover rows (m mod 4) and columns
// (n mod 8), k = 0, bias, relu/relu6 and broadcast batches; the 2-thread split is checked
// bit-identical in wasm_threads.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {expectNoLeak, useBackend} from '@stable-train/testing';
import {bytesFile, BYTES_FILE, compileGemm} from '../../scripts/build_wasm';
import {readFileSync} from 'node:fs';
import {registerTrainingKernels} from './register_training_kernels';
import {type ElementwiseJob, planUnits, unitBlock, wasmGemmFor, withSharedMemoryImport, WORKER_UNIT_BLOCK} from './wasm_gemm';

// eslint-disable-next-line @typescript-eslint/no-implied-eval
const workerUnitBlock = new Function(`return (${WORKER_UNIT_BLOCK})`)() as (u: number, m: number, n: number, units: number, rpu: number, spu: number) => number[];
import {elementwisePlan} from './wasm_elementwise_kernel';
import {GEMM_SUM_MIN_SIZE, leadingAxesSplit} from './wasm_sum_kernel';

const f = Math.fround;

/** The kernel's documented float32 sum, one output element at a time (op(A) m×k, op(B) k×n). */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean,
  bias: Float32Array | null, lo: number, hi: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f(s + f((ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j])));
      if (bias) s = f(s + bias[j]);
      out[i * n + j] = Math.min(Math.max(s, lo), hi);
    }
  }
  return out;
}

const values = (size: number, seed: number) => Float32Array.from({length: size}, (_, i) => f(Math.sin(0.37 * i + seed) * (1 + (i % 5))));

function expectBits(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}: element ${i} is ${got[i]}, the documented sum gives ${want[i]}`);
  }
}

beforeAll(async () => {
  registerTrainingKernels();
  await useBackend('wasm');
});

describe('wasm GEMM kernel', () => {
  it('the committed bytes are what the generator compiles to (npm run build:wasm), and the shared variant is derived exactly', async () => {
    const compiled = await compileGemm();
    expect(readFileSync(BYTES_FILE, 'utf8')).toBe(bytesFile(compiled));
    expect(Buffer.from(withSharedMemoryImport(Buffer.from(compiled.plain, 'base64'))).toString('base64')).toBe(compiled.shared);
  });

  it('runs on this backend (the kernel, not the stock XNNPACK path)', () => {
    expect(wasmGemmFor(tf.backend())).not.toBeNull();
  });

  it('matMul and fused matMul equal the documented float32 sum bit for bit', async () => {
    await fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({min: 1, max: 13}), k: fc.integer({min: 0, max: 40}), n: fc.integer({min: 1, max: 27}),
          ta: fc.boolean(), tb: fc.boolean(), bias: fc.boolean(), act: fc.constantFrom('linear', 'relu', 'relu6'),
        }),
        ({m, k, n, ta, tb, bias, act}) => {
          const av = values(m * k, 1);
          const bv = values(k * n, 2);
          const cv = values(n, 3);
          const [lo, hi] = act === 'relu' ? [0, Infinity] : act === 'relu6' ? [0, 6] : [-Infinity, Infinity];
          const got = tf.tidy(() => {
            const a = tf.tensor(av, ta ? [k, m] : [m, k]);
            const b = tf.tensor(bv, tb ? [n, k] : [k, n]);
            const y = bias || act !== 'linear'
              ? tf.fused.matMul({a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias: bias ? tf.tensor1d(cv) : undefined, activation: act as tf.fused.Activation})
              : tf.matMul(a, b, ta, tb);
            return y.dataSync() as Float32Array;
          });
          expectBits(got, reference(av, bv, m, k, n, ta, tb, bias ? cv : null, lo, hi), `${m}x${k}x${n} ${ta} ${tb} ${bias} ${act}`);
        },
      ),
      {numRuns: 60, seed: 24},
    );
  });

  it('larger products (several strips, leftover rows and columns) are bit-exact too', () => {
    for (const [m, k, n, ta, tb] of [[67, 130, 45, false, false], [33, 257, 70, true, true], [130, 64, 9, false, true]] as const) {
      const av = values(m * k, 4);
      const bv = values(k * n, 5);
      const got = tf.tidy(() => tf.matMul(tf.tensor(av, ta ? [k, m] : [m, k]), tf.tensor(bv, tb ? [n, k] : [k, n]), ta, tb).dataSync() as Float32Array);
      expectBits(got, reference(av, bv, m, k, n, ta, tb, null, -Infinity, Infinity), `${m}x${k}x${n}`);
    }
  });

  it('broadcast batches: [B, m, k]·[k, n] and [1, m, k]·[B, k, n] are one product per entry', () => {
    const [B, m, k, n] = [3, 5, 6, 9];
    const av = values(B * m * k, 6);
    const bv = values(k * n, 7);
    const got = tf.tidy(() => tf.matMul(tf.tensor(av, [B, m, k]), tf.tensor(bv, [k, n])).dataSync() as Float32Array);
    for (let e = 0; e < B; e++) {
      expectBits(got.subarray(e * m * n, (e + 1) * m * n), reference(av.subarray(e * m * k), bv, m, k, n, false, false, null, -Infinity, Infinity), `entry ${e}`);
    }
    const bb = values(B * k * n, 8);
    const got2 = tf.tidy(() => tf.matMul(tf.tensor(av.subarray(0, m * k), [1, m, k]), tf.tensor(bb, [B, k, n])).dataSync() as Float32Array);
    for (let e = 0; e < B; e++) {
      expectBits(got2.subarray(e * m * n, (e + 1) * m * n), reference(av, bb.subarray(e * k * n), m, k, n, false, false, null, -Infinity, Infinity), `entry ${e}`);
    }
  });

  it('NaN and ±Infinity propagate as in the sum (the clamp keeps NaN)', () => {
    const got = tf.tidy(() => tf.matMul(tf.tensor2d([[NaN, 1], [Infinity, 1], [1, 1]]), tf.tensor2d([[1], [-Infinity]])).dataSync());
    expect(Array.from(got)).toEqual([NaN, NaN, -Infinity]);
  });

  it('leaks no tensors', async () => {
    const a = tf.randomNormal([20, 30]);
    const b = tf.randomNormal([30, 17]);
    const x = tf.randomNormal([200, 64]);
    await expectNoLeak(() => {
      tf.matMul(a, b).dispose();
      tf.matMul(b, a, true, true).dispose();
      tf.sum(x, 0).dispose();
    });
    tf.dispose([a, b, x]);
  });
});

describe('work split among threads', () => {
  it('the units of a job cover C exactly once', () => {
    fc.assert(
      fc.property(fc.integer({min: 1, max: 300}), fc.integer({min: 1, max: 300}), fc.integer({min: 0, max: 3000}), fc.integer({min: 2, max: 8}), (m, n, k, T) => {
        const plan = planUnits(m, n, k, T);
        const seen = new Uint8Array(m * n);
        for (let u = 0; u < plan.units; u++) {
          const [r0, r1, j0, j1] = unitBlock(u, m, n, plan);
          expect(r1).toBeGreaterThan(r0);
          expect(j1).toBeGreaterThan(j0);
          if (plan.rowsPerUnit === 0) expect(j0 % 8).toBe(0); // strips start on 8-column boundaries
          for (let i = r0; i < r1; i++) for (let j = j0; j < j1; j++) seen[i * n + j]++;
        }
        expect(seen.every((v) => v === 1)).toBe(true);
        expect(plan.units).toBeLessThanOrEqual(4094);
        // the workers' copy of the formula (plain JavaScript in their source) gives the same blocks
        for (let u = 0; u < plan.units; u++) expect(workerUnitBlock(u, m, n, plan.units, plan.rowsPerUnit, plan.stripsPerUnit)).toEqual(unitBlock(u, m, n, plan));
      }),
      {numRuns: 200, seed: 5},
    );
  });
});

describe('wasm Sum over leading axes (1ᵀ·X on the GEMM)', () => {
  it('finds the leading-axes splits and nothing else', () => {
    expect(leadingAxesSplit([4, 5, 6], 0)).toEqual([4, 30, 1]);
    expect(leadingAxesSplit([4, 5, 6], [1, 0])).toEqual([20, 6, 2]);
    expect(leadingAxesSplit([4, 5, 6], -3)).toEqual([4, 30, 1]);
    expect(leadingAxesSplit([4, 5, 6], 1)).toBeNull();
    expect(leadingAxesSplit([4, 5, 6], [0, 1, 2])).toBeNull();
    expect(leadingAxesSplit([4, 5], [])).toBeNull();
  });

  it('equals the sequential float32 column sum bit for bit (and keepDims shapes)', () => {
    const [r, c] = [300, 50]; // r·c >= GEMM_SUM_MIN_SIZE: the GEMM path
    expect(r * c).toBeGreaterThanOrEqual(GEMM_SUM_MIN_SIZE);
    const xv = values(r * c, 9);
    const want = new Float32Array(c);
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let p = 0; p < r; p++) s = f(s + xv[p * c + j]);
      want[j] = s;
    }
    const x = tf.tensor(xv, [r, c]);
    const x3 = tf.reshape(x, [3, 100, c]);
    const y = tf.sum(x, 0);
    const y3 = tf.sum(x3, [0, 1], true);
    expect(y.shape).toEqual([c]);
    expect(y3.shape).toEqual([1, 1, c]);
    expectBits(y.dataSync() as Float32Array, want, 'sum axis 0');
    expectBits(y3.dataSync() as Float32Array, want, 'sum axes [0, 1]');
    tf.dispose([x, x3, y, y3]);
  });

  it('other sums (inner axes, int32, small) give the stock results', async () => {
    const x = tf.randomNormal([100, 120], 0, 1, 'float32', 3);
    const xi = tf.cast(tf.mul(x, 10), 'int32');
    const got = [tf.sum(x, 1), tf.sum(xi, 0), tf.sum(tf.slice(x, [0, 0], [3, 4]), 0)].map((t) => Array.from(t.dataSync()));
    const xv = x.arraySync();
    const xiv = xi.arraySync();
    await useBackend('cpu');
    const want = [tf.sum(tf.tensor(xv), 1), tf.sum(tf.tensor(xiv, undefined, 'int32'), 0), tf.sum(tf.slice(tf.tensor(xv), [0, 0], [3, 4]), 0)].map((t) => Array.from(t.dataSync()));
    await useBackend('wasm');
    got.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i][j])))));
    tf.dispose([x, xi]);
  });
});

describe('wasm element-wise kernel (the GEMM pool runs large add/sub/mul)', () => {
  const ptr = (t: tf.Tensor) => (tf.backend() as unknown as {dataIdMap: {get(d: unknown): {memoryOffset: number}}}).dataIdMap.get(t.dataId).memoryOffset;
  const ieee = [(x: number, y: number) => f(x + y), (x: number, y: number) => f(x - y), (x: number, y: number) => f(x * y)];

  it('plans same-shape, scalar and row-broadcast operands, and nothing else', () => {
    expect(elementwisePlan([4, 5], [4, 5], [4, 5])).toEqual({acs: 1, bcs: 1, total: 20, cols: 0, ars: 0, brs: 0});
    expect(elementwisePlan([4, 5], [], [4, 5])).toMatchObject({acs: 1, bcs: 0, cols: 0});
    expect(elementwisePlan([1], [4, 5], [4, 5])).toMatchObject({acs: 0, bcs: 1, cols: 0});
    expect(elementwisePlan([4, 5], [5], [4, 5])).toEqual({acs: 1, bcs: 1, total: 4, cols: 5, ars: 5, brs: 0});
    expect(elementwisePlan([1, 5], [3, 4, 5], [3, 4, 5])).toEqual({acs: 1, bcs: 1, total: 12, cols: 5, ars: 0, brs: 5});
    expect(elementwisePlan([4, 1], [4, 5], [4, 5])).toBeNull(); // column broadcast: stock kernel
  });

  it('every op and operand layout equals IEEE float32 arithmetic bit for bit (NaN, ±0, ±Infinity included)', () => {
    const engine = wasmGemmFor(tf.backend())!;
    const special = [NaN, 0, -0, Infinity, -Infinity, 1e-45, 3.4e38];
    const av = Float32Array.from({length: 4 * 13}, (_, i) => (i < special.length ? special[i] : Math.sin(i) * 1e3));
    const bv = Float32Array.from({length: 4 * 13}, (_, i) => (i % 9 === 0 ? special[(i / 9) % special.length] : Math.cos(i) * 7));
    const a = tf.tensor1d(av);
    const b = tf.tensor1d(bv);
    const layouts: [string, Omit<ElementwiseJob, 'op' | 'a' | 'b' | 'c'>, (i: number) => [number, number]][] = [
      ['same shape', {acs: 1, bcs: 1, total: 52, cols: 0, ars: 0, brs: 0}, (i) => [av[i], bv[i]]],
      ['scalar b', {acs: 1, bcs: 0, total: 52, cols: 0, ars: 0, brs: 0}, (i) => [av[i], bv[0]]],
      ['scalar a', {acs: 0, bcs: 1, total: 52, cols: 0, ars: 0, brs: 0}, (i) => [av[0], bv[i]]],
      ['row of b over rows', {acs: 1, bcs: 1, total: 4, cols: 13, ars: 13, brs: 0}, (i) => [av[i], bv[i % 13]]],
      ['row of a over rows', {acs: 1, bcs: 1, total: 4, cols: 13, ars: 0, brs: 13}, (i) => [av[i % 13], bv[i]]],
    ];
    for (const [name, plan, operands] of layouts) {
      for (const op of [0, 1, 2] as const) {
        const c = tf.zeros([52]);
        engine.runElementwise({...plan, op, a: ptr(a), b: ptr(b), c: ptr(c)});
        const want = Float32Array.from({length: 52}, (_, i) => ieee[op](...operands(i)));
        expectBits(c.dataSync() as Float32Array, want, `${name}, op ${op}`);
        c.dispose();
      }
    }
    tf.dispose([a, b]);
  });
});

describe('wasm convolution as im2col + GEMM (runs on the pool when it has 2+ threads)', () => {
  const ptr = (t: tf.Tensor) => (tf.backend() as unknown as {dataIdMap: {get(d: unknown): {memoryOffset: number}}}).dataIdMap.get(t.dataId).memoryOffset;

  it('equals cpu conv2d for strides, dilations, every padding, bias and relu', async () => {
    const cases: {x: [number, number, number, number]; f: [number, number, number, number]; s: [number, number]; d: [number, number]; pad: 'same' | 'valid' | number; act: 'linear' | 'relu'}[] = [
      {x: [2, 9, 7, 3], f: [3, 3, 3, 5], s: [1, 1], d: [1, 1], pad: 'same', act: 'linear'},
      {x: [1, 10, 11, 4], f: [3, 2, 4, 9], s: [2, 3], d: [1, 1], pad: 'valid', act: 'relu'},
      {x: [3, 8, 8, 2], f: [3, 3, 2, 8], s: [1, 1], d: [2, 2], pad: 'same', act: 'linear'},
      {x: [2, 7, 6, 5], f: [1, 1, 5, 12], s: [2, 2], d: [1, 1], pad: 1, act: 'relu'},
      {x: [1, 5, 5, 1], f: [5, 5, 1, 3], s: [1, 1], d: [1, 1], pad: 'same', act: 'linear'},
    ];
    for (const c of cases) {
      const xv = values(c.x.reduce((p, q) => p * q), 10);
      const fv = values(c.f.reduce((p, q) => p * q), 11);
      const bv = values(c.f[3], 12);
      await useBackend('cpu');
      const want = tf.tidy(() => tf.fused.conv2d({x: tf.tensor4d(xv, c.x), filter: tf.tensor4d(fv, c.f), strides: c.s, dilations: c.d, pad: c.pad, bias: tf.tensor1d(bv), activation: c.act}).dataSync());
      const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.s, c.d, c.pad, undefined, false, 'channelsLast');
      await useBackend('wasm');
      const engine = wasmGemmFor(tf.backend())!;
      const [x, f, b] = [tf.tensor4d(xv, c.x), tf.tensor4d(fv, c.f), tf.tensor1d(bv)];
      const out = tf.zeros(info.outShape);
      engine.runConv({x: ptr(x), filter: ptr(f), out: ptr(out), bias: ptr(b), n: c.x[0], h: c.x[1], w: c.x[2], c: c.x[3], kh: c.f[0], kw: c.f[1],
        sh: c.s[0], sw: c.s[1], dh: c.d[0], dw: c.d[1], padTop: info.padInfo.top, padLeft: info.padInfo.left, oh: info.outHeight, ow: info.outWidth,
        cout: c.f[3], lo: c.act === 'relu' ? 0 : -Infinity, hi: Infinity});
      const got = out.dataSync();
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i]))));
      tf.dispose([x, f, b, out]);
    }
  });
});
