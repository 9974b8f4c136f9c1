// GatherV2 gradient on wasm/cpu (override) vs an independent plain-JS scatter-add reference.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {registerTrainingKernels} from './register_training_kernels';

interface Case { shape: number[]; axis: number; indices: number[]; idxShape: number[]; seed: number }

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    shape: fc.array(fc.integer({min: 1, max: 4}), {minLength: 1, maxLength: 3}),
    axisPick: fc.nat(), negAxis: fc.boolean(),
    idxShape: fc.array(fc.integer({min: 1, max: 4}), {minLength: 1, maxLength: 2}),
    picks: fc.array(fc.nat(), {minLength: 16, maxLength: 16}),
    seed: fc.integer({min: 1, max: 1e6}),
  })
  .map(({shape, axisPick, negAxis, idxShape, picks, seed}) => {
    const ax = axisPick % shape.length;
    const size = idxShape.reduce((p, q) => p * q, 1);
    const indices = Array.from({length: size}, (_, i) => picks[i % 16] % shape[ax]); // duplicates likely
    return {shape, axis: negAxis ? ax - shape.length : ax, indices, idxShape, seed};
  });

const values = (c: Case) => tf.add(tf.reshape(tf.range(0, c.shape.reduce((p, q) => p * q, 1)), c.shape), c.seed % 7);

async function ours(backend: 'wasm' | 'cpu', c: Case) {
  await useBackend(backend);
  return tf.tidy(() => {
    const x = values(c);
    const idx = tf.tensor(c.indices, c.idxShape, 'int32');
    const y = tf.gather(x, idx, c.axis);
    const dy = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
    return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, idx, c.axis), dy)))(x).dataSync();
  });
}

/** dx[o, indices[j], i] += dy[o, j, i], in plain JS (independent of every tfjs kernel). */
function reference(c: Case): Float64Array {
  const ax = c.axis < 0 ? c.axis + c.shape.length : c.axis;
  const outer = c.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const inner = c.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  const d = c.shape[ax];
  const nIdx = c.indices.length;
  const dx = new Float64Array(outer * d * inner);
  for (let o = 0; o < outer; o++) for (let j = 0; j < nIdx; j++) for (let i = 0; i < inner; i++) {
    dx[(o * d + c.indices[j]) * inner + i] += Math.fround(Math.sin((o * nIdx + j) * inner + i));
  }
  return dx;
}

beforeAll(() => {
  registerTrainingKernels();
});

describe('gather gradient override (no UnsortedSegmentSum)', () => {
  it('wasm and cpu equal a plain-JS scatter-add (axes, duplicate indices, index ranks)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const ref = reference(c);
        for (const backend of ['wasm', 'cpu'] as const) expectClose(await ours(backend, c), ref, {rtol: 1e-5, atol: 1e-6});
      }),
      {numRuns: 40, seed: 5},
    );
  });

  it('trains an embedding on wasm without leaking', async () => {
    await useBackend('wasm');
    const table = tf.variable(tf.randomNormal([10, 4]));
    const ids = tf.tensor1d([1, 3, 3, 9], 'int32');
    await expectNoLeak(() => tf.variableGrads(() => tf.sum(tf.square(tf.gather(table, ids)))));
    tf.dispose([table, ids]);
  });
});
