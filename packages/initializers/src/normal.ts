import {Initializer, makeInitializer} from './initializer';
import {randomNormal} from './random_normal';
import {checkNumber, checkOptions} from './validate';

/**
 * Samples from the (untruncated) normal N(mean, std²).
 *
 * Same as PyTorch `torch.nn.init.normal_`, Keras / TF.js `RandomNormal` (defaults are PyTorch's:
 * mean 0, std 1).
 *
 * ```ts
 * const w = normal({std: 0.02})([768, 768], {seed: 7});
 * ```
 * @param opts.mean mean, finite, default 0
 * @param opts.std standard deviation, finite and > 0, default 1
 */
export function normal(opts?: {mean?: number; std?: number}): Initializer {
  const o = checkOptions<{mean: number; std: number}>('normal', opts);
  const mean = checkNumber('normal', 'mean', o.mean ?? 0);
  const std = checkNumber('normal', 'std', o.std ?? 1, '> 0');
  return normalWith('normal', 'normal', mean, std);
}

/** An untruncated normal initializer with a given function name for errors. @internal */
export function normalWith(fnName: string, name: string, mean: number, std: number): Initializer {
  return makeInitializer(
    fnName,
    name,
    (shape, c) => randomNormal(shape, mean, std, c.seed),
    () => ({distribution: 'normal', mean, std}),
  );
}
