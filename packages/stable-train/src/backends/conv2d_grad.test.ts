// Conv2D / Conv2DBackpropInput gradients on wasm (overrides) vs the STOCK cpu kernels
// Conv2DBackpropInput / Conv2DBackpropFilter, run directly with tf.engine().runKernel (they do
// not go through the gradient registry, so the overrides cannot touch the reference).
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {registerTrainingKernels} from './register_training_kernels';
import type {Explicit} from './conv_backprop';

type Pad = 'valid' | 'same' | Explicit;
interface Case {
  n: number; h: number; w: number; ci: number; co: number; kh: number; kw: number;
  s: [number, number]; d: [number, number]; pad: Pad; seed: number;
}

const rand = (size: number, seed: number) => {
  let st = seed >>> 0 || 1;
  return Float32Array.from({length: size}, () => ((st = (st * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
};
const outSize = (x: number, k: number, s: number, d: number, pad: Pad, axis: 1 | 2) => {
  const eff = (k - 1) * d + 1;
  if (pad === 'same') return Math.ceil(x / s);
  const p = pad === 'valid' ? 0 : pad[axis][0] + pad[axis][1];
  return Math.floor((x + p - eff) / s) + 1;
};

/** Dilated filter as an undilated one with zeros in between: [(kh-1)d+1, (kw-1)d+1, ci, co]. */
function dilateFilter(wt: tf.Tensor4D, d: [number, number]): tf.Tensor4D {
  const [kh, kw, ci, co] = wt.shape;
  const src = wt.dataSync();
  const eh = (kh - 1) * d[0] + 1;
  const ew = (kw - 1) * d[1] + 1;
  const out = new Float32Array(eh * ew * ci * co);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < ci * co; k++) {
    out[((i * d[0]) * ew + j * d[1]) * ci * co + k] = src[(i * kw + j) * ci * co + k];
  }
  return tf.tensor4d(out, [eh, ew, ci, co]);
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({min: 1, max: 2}), h: fc.integer({min: 1, max: 8}), w: fc.integer({min: 1, max: 8}),
    ci: fc.integer({min: 1, max: 3}), co: fc.integer({min: 1, max: 3}),
    kh: fc.integer({min: 1, max: 3}), kw: fc.integer({min: 1, max: 3}),
    strided: fc.boolean(),
    s: fc.tuple(fc.integer({min: 1, max: 3}), fc.integer({min: 1, max: 3})),
    d: fc.tuple(fc.integer({min: 1, max: 3}), fc.integer({min: 1, max: 3})),
    pad: fc.oneof(
      fc.constant<Pad>('valid'), fc.constant<Pad>('same'),
      fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(([a, b, c, e]): Pad => [[0, 0], [a, b], [c, e], [0, 0]]),
    ),
    seed: fc.integer({min: 1, max: 1e9}),
  })
  .map(({strided, s, d, ...r}) => ({...r, s: strided ? s : [1, 1], d: strided ? [1, 1] : d}) as Case)
  .filter((c) => outSize(c.h, c.kh, c.s[0], c.d[0], c.pad, 1) >= 1 && outSize(c.w, c.kw, c.s[1], c.d[1], c.pad, 2) >= 1);

const scaleTol = (ref: Float32Array | Int32Array | Uint8Array) => ({
  rtol: 1e-4, atol: 1e-5 * Math.max(1e-3, ...Array.from(ref, Math.abs)),
});

async function oursOn(backend: 'wasm' | 'cpu', c: Case, transposed: boolean) {
  await useBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(rand(c.n * c.h * c.w * c.ci, c.seed), [c.n, c.h, c.w, c.ci]);
    const f = tf.tensor4d(rand(c.kh * c.kw * c.ci * c.co, c.seed + 1), [c.kh, c.kw, c.ci, c.co]);
    const oh = outSize(c.h, c.kh, c.s[0], c.d[0], c.pad, 1);
    const ow = outSize(c.w, c.kw, c.s[1], c.d[1], c.pad, 2);
    const dy = tf.tensor4d(rand(c.n * oh * ow * c.co, c.seed + 2), [c.n, oh, ow, c.co]);
    if (!transposed) {
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d), dy)))([x, f]);
      return [dx.dataSync(), df.dataSync()];
    }
    // conv2dTranspose(dy) = Conv2DBackpropInput: gradients w.r.t. its input (dy) and filter
    const g = tf.tensor4d(rand(c.n * c.h * c.w * c.ci, c.seed + 3), [c.n, c.h, c.w, c.ci]);
    const [ddy, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [c.n, c.h, c.w, c.ci], c.s, c.pad as 'same'), g)))([dy, f]);
    return [ddy.dataSync(), df.dataSync()];
  });
}

async function stockCpu(c: Case, transposed: boolean) {
  await useBackend('cpu');
  return tf.tidy(() => {
    const x = tf.tensor4d(rand(c.n * c.h * c.w * c.ci, c.seed), [c.n, c.h, c.w, c.ci]);
    const f = tf.tensor4d(rand(c.kh * c.kw * c.ci * c.co, c.seed + 1), [c.kh, c.kw, c.ci, c.co]);
    const oh = outSize(c.h, c.kh, c.s[0], c.d[0], c.pad, 1);
    const ow = outSize(c.w, c.kw, c.s[1], c.d[1], c.pad, 2);
    const dy = tf.tensor4d(rand(c.n * oh * ow * c.co, c.seed + 2), [c.n, oh, ow, c.co]);
    const fUp = dilateFilter(f, c.d);
    const attrs = {strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined};
    const run = (k: string, inputs: tf.NamedTensorMap, extra: object) =>
      tf.engine().runKernel(k, inputs, {...attrs, ...extra} as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    const sub = (t: tf.Tensor4D) => tf.stridedSlice(t, [0, 0, 0, 0], t.shape, [c.d[0], c.d[1], 1, 1]);
    if (!transposed) {
      const dx = run('Conv2DBackpropInput', {dy, filter: fUp}, {inputShape: x.shape});
      const df = sub(run('Conv2DBackpropFilter', {x, dy}, {filterShape: fUp.shape}));
      return [dx.dataSync(), df.dataSync()];
    }
    const g = tf.tensor4d(rand(c.n * c.h * c.w * c.ci, c.seed + 3), [c.n, c.h, c.w, c.ci]);
    const ddy = tf.conv2d(g, f, c.s, c.pad, 'NHWC', 1); // forward conv: no gradient involved
    const df = run('Conv2DBackpropFilter', {x: g, dy}, {filterShape: f.shape});
    return [ddy.dataSync(), df.dataSync()];
  });
}

beforeAll(() => {
  registerTrainingKernels();
});

describe('conv2d gradient override', () => {
  it('wasm and cpu equal the stock cpu kernels (shapes, strides, paddings, dilations)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const ref = await stockCpu(c, false);
        for (const backend of ['wasm', 'cpu'] as const) {
          const got = await oursOn(backend, c, false);
          expectClose(got[0], ref[0], scaleTol(ref[0]));
          expectClose(got[1], ref[1], scaleTol(ref[1]));
        }
      }),
      {numRuns: 30, seed: 20240611},
    );
  });

  it('conv2dTranspose (Conv2DBackpropInput) trains on wasm and matches stock cpu', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb.filter((c) => c.d[0] === 1 && c.d[1] === 1), async (c) => {
        const ref = await stockCpu(c, true);
        const got = await oursOn('wasm', c, true);
        expectClose(got[0], ref[0], scaleTol(ref[0]));
        expectClose(got[1], ref[1], scaleTol(ref[1]));
      }),
      {numRuns: 20, seed: 7},
    );
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.randomNormal([2, 6, 6, 2]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 2, 4]) as tf.Tensor4D;
    await expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, f]));
    tf.dispose([x, f]);
  });
});
