import {Initializer} from './initializer';
import {checkNumber, checkOptions} from './validate';
import {makeVarianceScaling} from './variance_scaling';

/**
 * Glorot / Xavier uniform: U(−bound, bound), bound = gain·√(6/(fanIn + fanOut)),
 * std = gain·√(2/(fanIn + fanOut)).
 *
 * Same as PyTorch `torch.nn.init.xavier_uniform_(w, gain)`, Keras / TF.js `GlorotUniform` (gain 1).
 * Reference: Glorot & Bengio 2010, https://proceedings.mlr.press/v9/glorot10a.html
 *
 * ```ts
 * const w = glorotUniform({gain: calculateGain('tanh')})([784, 512], {seed: 1});
 * ```
 * @param opts.gain multiplier of the std, finite and > 0, default 1
 */
export function glorotUniform(opts?: {gain?: number}): Initializer {
  const gain = parseGain('glorotUniform', opts);
  return makeVarianceScaling('glorotUniform', 'glorot_uniform', gain * gain, 'fan_avg', 'uniform');
}

/** Reads and checks `{gain}` (finite, > 0, default 1). @internal */
export function parseGain(fn: string, opts: unknown): number {
  const o = checkOptions<{gain: number}>(fn, opts);
  return checkNumber(fn, 'gain', o.gain ?? 1, '> 0');
}
