// Test helper: a residual block layer against the @stable-train/resnet-blocks module it wraps,
// with the same weights (copied from the module by name inside the block) and the same input.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {expectClose} from '@stable-train/testing';
import type {ResidualBlock} from '@stable-train/resnet-blocks';
import {build, setWeights, weight} from './golden_layer';

/** The module's variables by their name inside the block (`dense1/kernel`, `norm1/gamma`, ...). */
export function blockVariables(mod: ResidualBlock): Map<string, tf.Variable> {
  return new Map(mod.variables.map((v) => [v.name.slice(mod.name.length + 1), v]));
}

/**
 * Builds `layer` for x, copies every module variable into it, and checks: the layer's weight names
 * (inside the layer) are the module's variable names, in the same order (trainable, then not); same output; and, when
 * `grads` says so, the same input gradient and the same gradient for every trainable weight.
 */
export function expectSameAsModule(
  mod: ResidualBlock,
  layer: tfl.layers.Layer,
  x: tf.Tensor,
  training: boolean,
  grads: {dx: boolean; params: boolean},
): void {
  build(layer, x.shape);
  const vars = blockVariables(mod);
  // tf.layers lists trainable weights first, then the non-trainable ones (moving statistics)
  const inside = (ws: tfl.LayerVariable[]) => ws.map((w) => w.originalName.slice(layer.name.length + 1));
  expect(inside(layer.trainableWeights)).toEqual([...vars.entries()].filter(([, v]) => v.trainable).map(([k]) => k));
  expect(inside(layer.nonTrainableWeights)).toEqual([...vars.entries()].filter(([, v]) => !v.trainable).map(([k]) => k));
  for (const [k, v] of vars) setWeights(layer, {[k]: v});
  const yMod = mod.apply(x, {training});
  const yLay = layer.apply(x, {training}) as tf.Tensor;
  expect(yLay.shape).toEqual(yMod.shape);
  expect(yLay.shape).toEqual(layer.computeOutputShape(x.shape) as number[]);
  expectClose(yLay, yMod, {rtol: 1e-5, atol: 1e-5});
  const up = tf.randomNormal(yMod.shape);
  const lossMod = (v: tf.Tensor) => tf.sum(tf.mul(mod.apply(v, {training}), up)) as tf.Scalar;
  const lossLay = (v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v, {training}) as tf.Tensor, up)) as tf.Scalar;
  const out: tf.Tensor[] = [yMod, yLay, up];
  if (grads.dx) {
    const a = tf.grad(lossMod)(x);
    const b = tf.grad(lossLay)(x);
    expectClose(b, a, {rtol: 1e-4, atol: 1e-5});
    out.push(a, b);
  }
  if (grads.params) {
    const trainable = [...vars.entries()].filter(([, v]) => v.trainable);
    const gm = tf.variableGrads(() => lossMod(x), trainable.map(([, v]) => v));
    const lv = trainable.map(([k]) => weight(layer, k).read() as tf.Variable);
    const gl = tf.variableGrads(() => lossLay(x), lv);
    trainable.forEach(([k, v], i) => {
      const tol = k.endsWith('bias') ? {rtol: 1e-4, atol: 1e-4} : {rtol: 1e-4, atol: 1e-5};
      try {
        expectClose(gl.grads[lv[i].name], gm.grads[v.name], tol);
      } catch (e) {
        throw new Error(`gradient of '${k}': ${(e as Error).message}`);
      }
    });
    out.push(gm.value, gl.value, ...Object.values(gm.grads), ...Object.values(gl.grads));
  }
  tf.dispose(out);
}
