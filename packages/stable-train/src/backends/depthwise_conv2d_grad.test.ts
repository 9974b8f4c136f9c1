// DepthwiseConv2dNative gradients on wasm/cpu (override) vs the STOCK cpu kernels
// DepthwiseConv2dNativeBackpropInput/Filter run directly (dilations via a zero-inserted filter).
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {registerTrainingKernels} from './register_training_kernels';
import type {Explicit} from './conv_backprop';

type Pad = 'valid' | 'same' | Explicit;
interface Case { n: number; h: number; w: number; ci: number; m: number; kh: number; kw: number; s: [number, number]; d: [number, number]; pad: Pad; seed: number }

const rand = (size: number, seed: number) => {
  let st = seed >>> 0 || 1;
  return Float32Array.from({length: size}, () => ((st = (st * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
};
const outSize = (x: number, k: number, s: number, d: number, pad: Pad, axis: 1 | 2) => {
  if (pad === 'same') return Math.ceil(x / s);
  const p = pad === 'valid' ? 0 : pad[axis][0] + pad[axis][1];
  return Math.floor((x + p - (k - 1) * d - 1) / s) + 1;
};
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({min: 1, max: 2}), h: fc.integer({min: 1, max: 8}), w: fc.integer({min: 1, max: 8}),
    ci: fc.integer({min: 1, max: 3}), m: fc.integer({min: 1, max: 2}),
    kh: fc.integer({min: 1, max: 3}), kw: fc.integer({min: 1, max: 3}), strided: fc.boolean(),
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

function inputs(c: Case) {
  const oh = outSize(c.h, c.kh, c.s[0], c.d[0], c.pad, 1);
  const ow = outSize(c.w, c.kw, c.s[1], c.d[1], c.pad, 2);
  return {
    x: tf.tensor4d(rand(c.n * c.h * c.w * c.ci, c.seed), [c.n, c.h, c.w, c.ci]),
    f: tf.tensor4d(rand(c.kh * c.kw * c.ci * c.m, c.seed + 1), [c.kh, c.kw, c.ci, c.m]),
    dy: tf.tensor4d(rand(c.n * oh * ow * c.ci * c.m, c.seed + 2), [c.n, oh, ow, c.ci * c.m]),
  };
}
const tol = (ref: ArrayLike<number>) => ({rtol: 1e-4, atol: 1e-5 * Math.max(1e-3, ...Array.from(ref, Math.abs))});

async function ours(backend: 'wasm' | 'cpu', c: Case) {
  await useBackend(backend);
  return tf.tidy(() => {
    const {x, f, dy} = inputs(c);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d), dy)))([x, f]);
    return [dx.dataSync(), df.dataSync()];
  });
}

async function stockCpu(c: Case) {
  await useBackend('cpu');
  return tf.tidy(() => {
    const {x, f, dy} = inputs(c);
    // zero-inserted (undilated) filter of the same effective size
    const [kh, kw, ci, m] = f.shape;
    const eh = (kh - 1) * c.d[0] + 1;
    const ew = (kw - 1) * c.d[1] + 1;
    const src = f.dataSync();
    const up = new Float32Array(eh * ew * ci * m);
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < ci * m; k++) {
      up[(i * c.d[0] * ew + j * c.d[1]) * ci * m + k] = src[(i * kw + j) * ci * m + k];
    }
    const fUp = tf.tensor4d(up, [eh, ew, ci, m]);
    const attrs = {strides: c.s, pad: c.pad, dilations: [1, 1], dimRoundingMode: undefined};
    const run = (k: string, ins: tf.NamedTensorMap, extra: object) =>
      tf.engine().runKernel(k, ins, {...attrs, ...extra} as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    const dx = run('DepthwiseConv2dNativeBackpropInput', {dy, filter: fUp}, {inputShape: x.shape});
    const dfUp = run('DepthwiseConv2dNativeBackpropFilter', {x, dy}, {filterShape: fUp.shape});
    const df = tf.stridedSlice(dfUp, [0, 0, 0, 0], dfUp.shape, [c.d[0], c.d[1], 1, 1]);
    return [dx.dataSync(), df.dataSync()];
  });
}

beforeAll(() => {
  registerTrainingKernels();
});

describe('depthwiseConv2d gradient override', () => {
  it('wasm and cpu equal the stock cpu kernels (shapes, multipliers, strides, paddings, dilations)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const ref = await stockCpu(c);
        for (const backend of ['wasm', 'cpu'] as const) {
          const got = await ours(backend, c);
          expectClose(got[0], ref[0], tol(ref[0]));
          expectClose(got[1], ref[1], tol(ref[1]));
        }
      }),
      {numRuns: 30, seed: 424242},
    );
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    const x = tf.randomNormal([2, 7, 7, 3]) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 3, 2]) as tf.Tensor4D;
    await expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, f]));
    tf.dispose([x, f]);
  });
});
