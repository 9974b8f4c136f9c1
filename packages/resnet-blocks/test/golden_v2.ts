// Helpers for blocks_v2.json (PyTorch 1.13, tools/goldens/README-v2.md §5).
import * as tf from '@tensorflow/tfjs-core';
import {loadGolden} from '@stable-train/testing';
import type {Module} from '../src';

/** README-v2 §5 tolerances: y 1e-5 rel + 1e-6 abs; gradients 1e-4 rel + 1e-5 abs. */
export const FWD = {rtol: 1e-5, atol: 1e-6};
export const GRAD = {rtol: 1e-4, atol: 1e-5};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function blocksV2(): any {
  return loadGolden('blocks_v2');
}

/**
 * A test-only BatchNorm in eval mode with constant statistics and trainable gamma / beta
 * (`${name}/gamma`, `${name}/beta`): bn(t) = (t − mean) / sqrt(var + eps) · gamma + beta.
 */
export function evalBatchNorm(name: string, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, eps: number): Module {
  const g = tf.variable(gamma, true, `${name}/gamma`);
  const b = tf.variable(beta, true, `${name}/beta`);
  const m = tf.keep(tf.clone(mean));
  const v = tf.keep(tf.clone(variance));
  return {
    variables: [g, b],
    apply: (t: tf.Tensor) => tf.tidy(() => tf.add(tf.mul(tf.div(tf.sub(t, m), tf.sqrt(tf.add(v, eps))), g), b)),
    dispose: () => tf.dispose([g, b, m, v]),
  };
}
