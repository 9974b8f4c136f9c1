import * as tf from '@tensorflow/tfjs-core';
import {BatchNorm, InstanceNorm, LayerNorm} from '@stable-train/batchnorm';
import {resolveInitializer} from '@stable-train/initializers';
import {resolveActivation} from '@stable-train/resnet-blocks';
import type {Module} from '../types';

/** An initializer by name (`'he_normal'`, `'normal'` with `{std}`, ...) or as a function. */
export type InitSpec = string | {name: string; [option: string]: unknown} | ((shape: number[], opts?: {seed?: number}) => tf.Tensor);

/** Normalisation inside models: none, batch, layer or instance norm (NHWC only; from @stable-train/batchnorm). */
export type NormSpec = 'none' | 'batch' | 'layer' | 'instance';

/**
 * Turns an initializer spec into `(shape) => Tensor` whose k-th call draws with seed
 * `seed·1000003 + stream·1000 + k`: a model built twice with the same seed has the same weights,
 * and models built with seeds 0 and 1 share no layer (seeds `seed + k` would shift by one layer).
 * @param spec initializer name, `{name, ...options}` or function
 * @param seed the model's seed
 * @param stream a separate sequence of seeds for the same model (0..999), e.g. recurrent kernels
 */
export function seededInit(spec: InitSpec, seed: number, stream = 0): (shape: number[]) => tf.Tensor {
  let k = 0;
  let f: (shape: number[], opts?: {seed?: number}) => tf.Tensor;
  if (typeof spec === 'function') f = spec;
  else if (typeof spec === 'string') f = resolveInitializer(spec);
  else {
    const {name, ...rest} = spec;
    f = resolveInitializer(name, rest);
  }
  return (shape) => f(shape, {seed: (seed * 1_000_003 + stream * 1000 + k++) % 2_147_483_647});
}

/**
 * A trainable variable holding `make()`'s tensor; the tensor itself is freed (a variable made
 * from a tensor shares its data but the tensor stays registered until disposed).
 * @param make draws the initial value
 * @param name the variable's name
 */
export function newVariable(make: () => tf.Tensor, name: string): tf.Variable {
  return tf.tidy(() => tf.variable(make(), true, name));
}

/**
 * A norm-layer factory `(channels, name) => Module`, or undefined for `'none'`.
 * @param norm which norm
 * @param made receives every norm module the factory makes (a model lists them as `norms`, so
 *   that lr-schedule's `updateBatchNormStats` finds its batch norms)
 */
export function normFactory(norm: NormSpec | undefined, made?: Module[]): ((channels: number, name: string) => Module) | undefined {
  if (norm === undefined || norm === 'none') return undefined;
  const keep = <M extends Module>(m: M): M => (made?.push(m), m);
  if (norm === 'batch') return (channels, name) => keep(new BatchNorm({channels, name}));
  if (norm === 'layer') return (channels, name) => keep(new LayerNorm({channels, name}));
  if (norm === 'instance') return (channels, name) => keep(new InstanceNorm({channels, name, affine: true}));
  throw new Error(`normFactory: norm must be 'none', 'batch', 'layer' or 'instance', got ${JSON.stringify(norm)}`);
}

/** An element-wise activation by name (resnet-blocks' table: relu, tanh, elu, selu, ...). */
export function activation(name: string): (x: tf.Tensor) => tf.Tensor {
  return resolveActivation(name as Parameters<typeof resolveActivation>[0], 'model');
}

/**
 * A dense layer `y = x·W + b` (kernel `[in, out]`, TF.js layout) as a module.
 *
 * ```ts
 * const d = dense({inUnits: 784, units: 10, name: 'head', kernelInit: seededInit('glorot_uniform', 1)});
 * ```
 * @param o sizes, variable prefix (`${name}/kernel`, `${name}/bias`), kernel initializer
 */
export function dense(o: {inUnits: number; units: number; name: string; kernelInit: (shape: number[]) => tf.Tensor; useBias?: boolean}): Module {
  for (const k of ['inUnits', 'units'] as const) {
    if (!(Number.isInteger(o[k]) && o[k] > 0)) throw new Error(`dense(${o.name}): ${k} must be an integer > 0, got ${o[k]}`);
  }
  const w = newVariable(() => o.kernelInit([o.inUnits, o.units]), `${o.name}/kernel`);
  const b = o.useBias === false ? null : newVariable(() => tf.zeros([o.units]), `${o.name}/bias`);
  return {
    variables: b ? [w, b] : [w],
    apply: (x) => tf.tidy(() => (b ? tf.add(tf.matMul(x, w), b) : tf.matMul(x, w))),
    dispose: () => tf.dispose(b ? [w, b] : [w]),
  };
}

/**
 * Chains modules into a model with a declared input shape (the Trainer checks batches against it).
 * @param name the model's name
 * @param inputShape one input sample's shape
 * @param parts modules and functions `(x, training) => y`, applied in order
 * @param norms the norm modules inside (see `Model.norms`); default none
 */
export function sequential(name: string, inputShape: number[], parts: (Module | ((x: tf.Tensor, training: boolean) => tf.Tensor))[], norms: Module[] = []): Model {
  const mods = parts.filter((p): p is Module => typeof p !== 'function');
  return {
    name,
    inputShape,
    norms,
    get variables() {
      return mods.flatMap((m) => m.variables);
    },
    apply: (x, opts) =>
      tf.tidy(() => parts.reduce<tf.Tensor>((h, p) => (typeof p === 'function' ? p(h, !!opts?.training) : p.apply(h, {training: !!opts?.training})), x)),
    dispose: () => mods.forEach((m) => m.dispose()),
    trace: (x) => {
      const acts: tf.Tensor[] = [];
      let h = x;
      for (const p of parts) {
        h = typeof p === 'function' ? p(h, false) : p.apply(h, {training: false});
        acts.push(h);
      }
      return acts;
    },
  };
}

/** A model: a module with a name and the shape of one input sample. */
export interface Model extends Module {
  readonly name: string;
  readonly inputShape: number[];
  /**
   * The normalisation modules inside, in order (batch norms among them): what
   * `Trainer.evaluate(..., {batchNormData})` hands to lr-schedule's `updateBatchNormStats` as
   * `layers`. A module of your own may list its batch norms here too.
   */
  readonly norms?: Module[];
  /** Every intermediate output of an inference pass (the doctor measures their norms); run inside a tidy. */
  trace?(x: tf.Tensor): tf.Tensor[];
}
