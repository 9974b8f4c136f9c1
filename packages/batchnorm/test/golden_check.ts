// Test helper: runs one normalization.json case through an op and compares y, dx, dgamma, dbeta
// with PyTorch (loss = sum(y * upstream_grad), as the goldens define it).
import * as tf from '@tensorflow/tfjs-core';
import {expectClose, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';

/** README tolerances: forward rel 1e-5 + abs 1e-6; gradients rel 1e-4 + abs 1e-5. */
export const FWD = {rtol: 1e-5, atol: 1e-6};
export const GRAD = {rtol: 1e-4, atol: 1e-5};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GoldenCase = any;

/** The cases of normalization.json whose `op` is `op` (and `mode`, when given). */
export function cases(op: string, mode?: string): GoldenCase[] {
  const all = loadGolden('normalization').cases as GoldenCase[];
  const out = all.filter((c) => c.op === op && (mode === undefined || c.mode === mode));
  if (out.length === 0) throw new Error(`no golden cases for ${op} ${mode ?? ''}`);
  return out;
}

/**
 * Evaluates `op(x, gamma, beta?)` on the case's inputs and checks y and the gradients w.r.t.
 * x, gamma and (if the case has one) beta against PyTorch.
 */
export function checkAgainstGolden(
  c: GoldenCase,
  op: (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor | null) => tf.Tensor,
): void {
  const x = goldenTensor(c.x);
  const gamma = goldenTensor(c.gamma);
  const beta = c.beta ? goldenTensor(c.beta) : null;
  const up = goldenTensor(c.upstream_grad);
  const inputs = beta ? [x, gamma, beta] : [x, gamma];
  const y = op(x, gamma, beta);
  const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(op(a[0], a[1], a[2] ?? null), up)))(inputs);
  try {
    expect(y.shape).toEqual(c.y.shape);
    expectClose(y, goldenData(c.y), FWD);
    expectClose(grads[0], goldenData(c.dx), GRAD);
    expectClose(grads[1], goldenData(c.dgamma), GRAD);
    if (beta) expectClose(grads[2], goldenData(c.dbeta), GRAD);
  } finally {
    tf.dispose([x, gamma, up, y, ...grads]);
    if (beta) beta.dispose();
  }
}
