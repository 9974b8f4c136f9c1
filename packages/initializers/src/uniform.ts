import * as tf from '@tensorflow/tfjs-core';
import {Initializer, makeInitializer} from './initializer';
import {checkNumber, checkOptions} from './validate';

/**
 * Uniform samples in [min, max): std = (max − min)/√12.
 *
 * Same as PyTorch `torch.nn.init.uniform_(w, a=min, b=max)`, Keras / TF.js `RandomUniform`
 * (defaults here are PyTorch's: min 0, max 1).
 *
 * ```ts
 * const w = uniform({min: -0.05, max: 0.05})([784, 512], {seed: 1});
 * ```
 * @param opts.min lower bound (inclusive), finite, default 0
 * @param opts.max upper bound (exclusive), finite and > min, default 1
 */
export function uniform(opts?: {min?: number; max?: number}): Initializer {
  const o = checkOptions<{min: number; max: number}>('uniform', opts);
  const min = checkNumber('uniform', 'min', o.min ?? 0);
  const max = checkNumber('uniform', 'max', o.max ?? 1);
  if (!(max > min)) throw new Error(`uniform: max must be > min, got min ${min} and max ${max}`);
  return uniformBetween('uniform', 'uniform', min, max);
}

/** A uniform initializer on [min, max) with a given function name for errors. @internal */
export function uniformBetween(fnName: string, name: string, min: number, max: number): Initializer {
  return makeInitializer(
    fnName,
    name,
    (shape, c) => tf.randomUniform(shape, min, max, 'float32', c.seed),
    () => ({distribution: 'uniform', mean: (min + max) / 2, std: (max - min) / Math.sqrt(12), low: min, high: max}),
  );
}
