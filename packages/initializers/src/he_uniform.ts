import {calculateGain, Nonlinearity, NONLINEARITIES} from './calculate_gain';
import {Initializer} from './initializer';
import {checkNumber, checkOneOf, checkOptions} from './validate';
import {FanMode, makeVarianceScaling} from './variance_scaling';

/** Options of the He / Kaiming initializers (PyTorch's `kaiming_*_` arguments and defaults). */
export interface HeOptions {
  /** negative slope of the leaky ReLU that follows (used only with `'leaky_relu'`), finite >= 0, default 0 */
  a?: number;
  /** `'fan_in'` (default: preserves the forward variance) or `'fan_out'` (the backward one) */
  mode?: 'fan_in' | 'fan_out';
  /** the nonlinearity that follows, default `'leaky_relu'` (with a = 0 that is gain √2, as for ReLU) */
  nonlinearity?: Nonlinearity;
}

/**
 * He / Kaiming uniform: U(−bound, bound), bound = gain·√(3/fan), std = gain/√fan, with
 * gain = calculateGain(nonlinearity, a) and fan = fanIn or fanOut.
 *
 * Same as PyTorch `torch.nn.init.kaiming_uniform_(w, a, mode, nonlinearity)` and its defaults
 * (a = 0, `'fan_in'`, `'leaky_relu'` → gain √2); Keras / TF.js `HeUniform` is the default case.
 * PyTorch's `nn.Linear`/`nn.Conv2d` default weight init is `heUniform({a: Math.sqrt(5)})`.
 * Reference: He et al. 2015, https://arxiv.org/abs/1502.01852
 *
 * ```ts
 * const w = heUniform({mode: 'fan_out', nonlinearity: 'relu'})([3, 3, 64, 128], {seed: 3});
 * ```
 * @param opts see {@link HeOptions}
 */
export function heUniform(opts?: HeOptions): Initializer {
  const {scale, mode} = parseHeOptions('heUniform', opts);
  return makeVarianceScaling('heUniform', 'he_uniform', scale, mode, 'uniform');
}

/** Validates He options; returns scale = gain² and the mode. @internal */
export function parseHeOptions(fn: string, opts: unknown): {scale: number; mode: FanMode} {
  const o = checkOptions<HeOptions>(fn, opts);
  const a = checkNumber(fn, 'a', o.a ?? 0, '>= 0');
  const mode = checkOneOf(fn, 'mode', o.mode ?? 'fan_in', ['fan_in', 'fan_out'] as const);
  const nonlinearity = checkOneOf(fn, 'nonlinearity', o.nonlinearity ?? 'leaky_relu', NONLINEARITIES);
  const gain = calculateGain(nonlinearity, a);
  return {scale: gain * gain, mode};
}
