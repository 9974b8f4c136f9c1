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

/** The parts of a norm layer the module checks need. */
export interface LayerLike {
  name: string;
  variables: tf.Variable[];
  apply(x: tf.Tensor, opts: {training: boolean}): tf.Tensor;
  setState(s: tf.NamedTensorMap): void;
}

/**
 * Loads the case's gamma (and beta) into `layer`, then checks y, dx (tf.grad) and the variable
 * gradients from tf.variableGrads (keyed `${name}/gamma`, `${name}/beta`) against PyTorch.
 */
export function checkLayerAgainstGolden(c: GoldenCase, layer: LayerLike, training = true): void {
  const state: tf.NamedTensorMap = {[`${layer.name}/gamma`]: goldenTensor(c.gamma)};
  if (c.beta) state[`${layer.name}/beta`] = goldenTensor(c.beta);
  layer.setState(state);
  tf.dispose(state);
  const x = goldenTensor(c.x);
  const up = goldenTensor(c.upstream_grad);
  const loss = (a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, {training}), up)) as tf.Scalar;
  const y = layer.apply(x, {training});
  const dx = tf.grad(loss)(x);
  const {value, grads} = tf.variableGrads(() => loss(x));
  try {
    expectClose(y, goldenData(c.y), FWD);
    expectClose(dx, goldenData(c.dx), GRAD);
    expectClose(grads[`${layer.name}/gamma`], goldenData(c.dgamma), GRAD);
    if (c.beta) expectClose(grads[`${layer.name}/beta`], goldenData(c.dbeta), GRAD);
  } finally {
    tf.dispose([x, up, y, dx, value, ...Object.values(grads)]);
  }
}
