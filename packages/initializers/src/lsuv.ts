import * as tf from '@tensorflow/tfjs-core';
import {orthogonal} from './orthogonal';
import {checkInt, checkNumber, checkOptions, show} from './validate';

/** One layer for {@link lsuv}: its kernel and how to run it. */
export interface LsuvLayer {
  /** the weight LSUV rescales in place (rank >= 2, TF.js layout) */
  kernel: tf.Variable;
  /** the layer's output for input x (normally pre-activation: x·W + b); LSUV sets its variance to 1 */
  forward(x: tf.Tensor): tf.Tensor;
  /** the nonlinearity between this layer's output and the next layer's input (default: none) */
  activation?(y: tf.Tensor): tf.Tensor;
}

export interface LsuvOptions {
  /** stop when |Var(output) − 1| < tolerance; finite > 0, default 0.1 */
  tolerance?: number;
  /** most rescalings per layer; integer >= 0, default 10 */
  maxIterations?: number;
  /** start every kernel from `orthogonal()` as the paper does (default true); false keeps the current kernels */
  orthogonalInit?: boolean;
  /** seed of the orthogonal start (layer i uses seed + i); unseeded if omitted */
  seed?: number;
}

export interface LsuvResult {
  /** final output variance of each layer (measured after its last rescale) */
  variances: number[];
  /** rescalings done per layer */
  iterations: number[];
  /** whether each layer reached |variance − 1| < tolerance */
  converged: boolean[];
}

/**
 * Layer-sequential unit-variance (LSUV) initialisation: optionally start every kernel orthogonal,
 * then, layer by layer on one batch, repeat W ← W / √Var(forward(x)) until
 * |Var − 1| < tolerance or maxIterations rescalings, and feed activation(forward(x)) to the next
 * layer. Data-dependent, so it reads one variance per iteration back to the host (async).
 *
 * Reference: Mishkin & Matas 2015, "All you need is a good init", https://arxiv.org/abs/1511.06422
 * (no PyTorch / Keras built-in).
 *
 * ```ts
 * const layers = kernels.map((k) => ({kernel: k, forward: (x) => tf.matMul(x, k), activation: tf.tanh}));
 * const {variances} = await lsuv(layers, xBatch, {tolerance: 0.1, maxIterations: 10});
 * ```
 * @param layers the layers in forward order
 * @param batch one input batch for the first layer
 * @param opts see {@link LsuvOptions}
 * @returns what happened per layer; the kernels are updated in place
 */
export async function lsuv(layers: LsuvLayer[], batch: tf.Tensor, opts?: LsuvOptions): Promise<LsuvResult> {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new Error(`lsuv: layers must be a non-empty array, got ${show(layers)}`);
  }
  layers.forEach((l, i) => {
    if (!l || !(l.kernel instanceof tf.Variable) || typeof l.forward !== 'function') {
      throw new Error(`lsuv: layers[${i}] must be {kernel: tf.Variable, forward(x)}, got ${show(l)}`);
    }
    if (l.activation !== undefined && typeof l.activation !== 'function') {
      throw new Error(`lsuv: layers[${i}].activation must be a function, got ${show(l.activation)}`);
    }
  });
  if (!(batch instanceof tf.Tensor)) throw new Error(`lsuv: batch must be a tf.Tensor, got ${show(batch)}`);
  const o = checkOptions<LsuvOptions>('lsuv', opts);
  const tolerance = checkNumber('lsuv', 'tolerance', o.tolerance ?? 0.1, '> 0');
  // each iteration reads a variance back: bounded so that a typo (1e9) is an error, not a hang
  const maxIterations = checkInt('lsuv', 'maxIterations', o.maxIterations ?? 10, 0);
  if (maxIterations > 10_000) throw new Error(`lsuv: maxIterations must be an integer in [0, 10000], got ${show(maxIterations)}`);
  const seed = o.seed === undefined ? undefined : checkNumber('lsuv', 'seed', o.seed);
  const orthoStart = o.orthogonalInit ?? true;
  if (typeof orthoStart !== 'boolean') throw new Error(`lsuv: orthogonalInit must be a boolean, got ${show(orthoStart)}`);

  const result: LsuvResult = {variances: [], iterations: [], converged: []};
  let x = batch;
  for (let i = 0; i < layers.length; i++) {
    const {kernel, forward, activation} = layers[i];
    if (orthoStart) {
      tf.tidy(() => kernel.assign(orthogonal()(kernel.shape, {seed: seed === undefined ? undefined : seed + i})));
    }
    let variance = await outputVariance(forward, x, i);
    let iterations = 0;
    while (Math.abs(variance - 1) >= tolerance && iterations < maxIterations) {
      const s = 1 / Math.sqrt(variance);
      tf.tidy(() => kernel.assign(tf.mul(kernel, s)));
      iterations++;
      variance = await outputVariance(forward, x, i);
    }
    result.variances.push(variance);
    result.iterations.push(iterations);
    result.converged.push(Math.abs(variance - 1) < tolerance);
    const input = x;
    x = tf.tidy(() => {
      const y = forward(input);
      return activation ? activation(y) : y;
    });
    if (input !== batch) input.dispose();
  }
  if (x !== batch) x.dispose();
  return result;
}

async function outputVariance(forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, i: number): Promise<number> {
  const v = tf.tidy(() => tf.moments(forward(x)).variance);
  const value = (await v.data())[0];
  v.dispose();
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`lsuv: output variance of layers[${i}] is ${value}; cannot rescale it to 1 (dead or non-finite layer)`);
  }
  return value;
}
