import * as tf from '@tensorflow/tfjs-core';
import {computeFans} from './compute_fans';
import {Initializer, InitializerStats, makeInitializer} from './initializer';
import {randomNormal} from './random_normal';
import {truncatedNormal} from './truncated_normal';
import {checkNumber, checkOneOf, checkOptions} from './validate';

/** Which fan the variance is scaled by. */
export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
/** The distribution a variance-scaling initializer draws from. */
export type VarianceDistribution = 'uniform' | 'normal' | 'truncated_normal';

export const FAN_MODES: readonly FanMode[] = ['fan_in', 'fan_out', 'fan_avg'];
export const VARIANCE_DISTRIBUTIONS: readonly VarianceDistribution[] = ['uniform', 'normal', 'truncated_normal'];

/**
 * Std of a standard normal truncated to [−2, 2]; Keras divides by it so that the realised std of
 * its `'truncated_normal'` is the requested one (same constant as Keras and the goldens).
 */
export const TRUNCATED_NORMAL_STD_FACTOR = 0.87962566103423978;

/**
 * Variance scaling: with n = fanIn, fanOut or (fanIn + fanOut)/2 (by `mode`), every element has
 * variance scale/n. `'uniform'`: U(−√(3·scale/n), √(3·scale/n)); `'normal'`: N(0, scale/n)
 * untruncated; `'truncated_normal'`: N(0, σ²) with σ = √(scale/n)/0.87962566 cut at ±2σ, whose
 * realised std is again √(scale/n). Glorot, He and LeCun are special cases.
 *
 * Same as Keras `VarianceScaling` (defaults scale 1, `'fan_in'`, `'truncated_normal'`). Unlike
 * TF.js `tf.initializers.varianceScaling`, whose `'normal'` is a truncated normal WITHOUT the
 * 0.8796 correction (realised std ≈ 12% low), `'normal'` here is a true normal.
 * Reference: He et al. 2015, https://arxiv.org/abs/1502.01852
 *
 * ```ts
 * const w = varianceScaling({scale: 2, mode: 'fan_in', distribution: 'normal'})([784, 512]); // = heNormal()
 * ```
 * @param opts.scale variance multiplier (gain²), finite and > 0, default 1
 * @param opts.mode `'fan_in'` (default), `'fan_out'` or `'fan_avg'`
 * @param opts.distribution `'truncated_normal'` (default), `'normal'` or `'uniform'`
 */
export function varianceScaling(opts?: {
  scale?: number;
  mode?: FanMode;
  distribution?: VarianceDistribution;
}): Initializer {
  const fn = 'varianceScaling';
  const o = checkOptions<{scale: number; mode: FanMode; distribution: VarianceDistribution}>(fn, opts);
  const scale = checkNumber(fn, 'scale', o.scale ?? 1, '> 0');
  const mode = checkOneOf(fn, 'mode', o.mode ?? 'fan_in', FAN_MODES);
  const distribution = checkOneOf(fn, 'distribution', o.distribution ?? 'truncated_normal', VARIANCE_DISTRIBUTIONS);
  return makeVarianceScaling(fn, 'variance_scaling', scale, mode, distribution);
}

/** The realised std √(scale/n) and the bound of a variance-scaling draw for `shape`. */
export function varianceScalingStats(
  shape: number[],
  scale: number,
  mode: FanMode,
  distribution: VarianceDistribution,
): InitializerStats {
  const {fanIn, fanOut} = computeFans(shape);
  const n = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
  const std = Math.sqrt(scale / n);
  if (distribution === 'uniform') {
    const bound = Math.sqrt((3 * scale) / n);
    return {distribution, mean: 0, std, low: -bound, high: bound};
  }
  if (distribution === 'normal') return {distribution, mean: 0, std};
  const bound = (2 * std) / TRUNCATED_NORMAL_STD_FACTOR;
  return {distribution, mean: 0, std, low: -bound, high: bound};
}

/** Builds a variance-scaling initializer with already validated arguments. @internal */
export function makeVarianceScaling(
  fnName: string,
  name: string,
  scale: number,
  mode: FanMode,
  distribution: VarianceDistribution,
): Initializer {
  const stats = (shape: number[]): InitializerStats => varianceScalingStats(shape, scale, mode, distribution);
  return makeInitializer(
    fnName,
    name,
    (shape, c) => {
      const s = stats(shape);
      if (distribution === 'uniform') return tf.randomUniform(shape, s.low, s.high, 'float32', c.seed);
      if (distribution === 'normal') return randomNormal(shape, 0, s.std, c.seed);
      // σ = std/0.8796 (Keras' correction), cut at ±2σ: the realised std is `std` again
      const sigma = s.std / TRUNCATED_NORMAL_STD_FACTOR;
      return truncatedNormal({std: sigma, a: -2 * sigma, b: 2 * sigma})(shape, c);
    },
    stats,
    {minRank: 1}, // a scalar has no fans: heNormal()([]) is an error, as in PyTorch
  );
}
