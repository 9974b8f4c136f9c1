// Test helpers: run PyTorch reference vectors (tools/goldens) through a tf.layers layer, and
// compare a layer with the technique module / function it wraps (same weights, same input).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {expectClose, goldenData, goldenTensor} from '@stable-train/testing';

/** goldens README tolerances: forward rel 1e-5 + abs 1e-6; gradients rel 1e-4 + abs 1e-5. */
export const FWD = {rtol: 1e-5, atol: 1e-6};
export const GRAD = {rtol: 1e-4, atol: 1e-5};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GoldenCase = any;

/** Builds `layer` for `shape` (an inference-mode call on zeros, so no statistic moves). */
export function build(layer: tfl.layers.Layer, shape: number[]): void {
  const z = tf.zeros(shape);
  tf.dispose(layer.apply(z) as tf.Tensor);
  z.dispose();
}

/** The layer's weight whose name ends with `/${suffix}`. */
export function weight(layer: tfl.layers.Layer, suffix: string): tfl.LayerVariable {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`));
  if (!w) throw new Error(`no weight */${suffix} in ${layer.weights.map((v) => v.originalName)}`);
  return w;
}

/** Writes values (tensors, or golden {shape, data}) into the layer's weights by name suffix. */
export function setWeights(layer: tfl.layers.Layer, values: Record<string, tf.Tensor | GoldenCase>): void {
  for (const [k, v] of Object.entries(values)) {
    const t = v instanceof tf.Tensor ? v : goldenTensor(v);
    weight(layer, k).write(t);
    if (t !== v) t.dispose();
  }
}

/**
 * y = layer(x, {training}), dx and d/d(weights named in `grads`) of sum(y * up); returns them (the
 * caller disposes). Weight gradients come from tf.variableGrads over the layer's variables.
 */
export function forwardAndGrads(
  layer: tfl.layers.Layer,
  x: tf.Tensor,
  up: tf.Tensor,
  training: boolean,
  grads: string[],
): {y: tf.Tensor; dx: tf.Tensor; dw: Record<string, tf.Tensor>} {
  const f = (a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, {training}) as tf.Tensor, up)) as tf.Scalar;
  const y = layer.apply(x, {training}) as tf.Tensor;
  const dx = tf.grad(f)(x);
  const dw: Record<string, tf.Tensor> = {};
  if (grads.length === 0) return {y, dx, dw};
  const vars = grads.map((g) => weight(layer, g).read() as tf.Variable);
  const {value, grads: g} = tf.variableGrads(() => f(x), vars);
  value.dispose();
  grads.forEach((name, i) => (dw[name] = g[vars[i].name]));
  return {y, dx, dw};
}

/** Checks forwardAndGrads' results against a golden case's y, dx and named gradients. */
export function expectGolden(
  r: {y: tf.Tensor; dx: tf.Tensor; dw: Record<string, tf.Tensor>},
  c: GoldenCase,
  gradKeys: Record<string, string>,
): void {
  expectClose(r.y, goldenData(c.y), FWD);
  expectClose(r.dx, goldenData(c.dx), GRAD);
  for (const [w, key] of Object.entries(gradKeys)) expectClose(r.dw[w], goldenData(c[key] ?? c.param_grads[key]), GRAD);
}

/** Disposes forwardAndGrads' results. */
export function disposeResult(r: {y: tf.Tensor; dx: tf.Tensor; dw: Record<string, tf.Tensor>}): void {
  tf.dispose([r.y, r.dx, ...Object.values(r.dw)]);
}
