import * as tf from '@tensorflow/tfjs-core';
import {Initializer, makeInitializer} from './initializer';
import {normalCdf, truncatedNormalMoments} from './normal_cdf';
import {checkNumber, checkOptions} from './validate';

/**
 * Samples from N(mean, std²) restricted to the ABSOLUTE interval [a, b], by inverse-CDF sampling
 * exactly like PyTorch: u ~ U(2Φ(α) − 1, 2Φ(β) − 1) with α = (a−μ)/σ, β = (b−μ)/σ, then
 * w = clamp(μ + σ√2·erfinv(u), a, b). Realised std = σ·√(1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²),
 * Z = Φ(β) − Φ(α); at ±2σ that is σ·0.8796256610342398.
 *
 * Same as PyTorch `torch.nn.init.trunc_normal_(w, mean, std, a, b)` (defaults mean 0, std 1,
 * a = −2, b = 2: bounds are absolute, NOT multiples of std; for the TF/Keras "truncate at 2 std"
 * pass a = mean − 2·std, b = mean + 2·std). TF.js `tf.truncatedNormal` always cuts at ±2 std.
 * Reference: https://pytorch.org/docs/stable/nn.init.html#torch.nn.init.trunc_normal_
 *
 * ```ts
 * const w = truncatedNormal({std: 0.02, a: -0.04, b: 0.04})([768, 3072], {seed: 0}); // ViT-style
 * ```
 * @param opts.mean mean of the untruncated normal, finite, default 0
 * @param opts.std std of the untruncated normal, finite and > 0, default 1
 * @param opts.a lower bound (absolute), finite, default −2
 * @param opts.b upper bound (absolute), finite and > a, default 2
 */
export function truncatedNormal(opts?: {mean?: number; std?: number; a?: number; b?: number}): Initializer {
  const o = checkOptions<{mean: number; std: number; a: number; b: number}>('truncatedNormal', opts);
  const mean = checkNumber('truncatedNormal', 'mean', o.mean ?? 0);
  const std = checkNumber('truncatedNormal', 'std', o.std ?? 1, '> 0');
  const a = checkNumber('truncatedNormal', 'a', o.a ?? -2);
  const b = checkNumber('truncatedNormal', 'b', o.b ?? 2);
  if (!(b > a)) throw new Error(`truncatedNormal: b must be > a, got a ${a} and b ${b}`);
  const lo = 2 * normalCdf((a - mean) / std) - 1;
  const hi = 2 * normalCdf((b - mean) / std) - 1;
  if (!(hi > lo)) {
    throw new Error(`truncatedNormal: [a, b] must have probability mass under N(${mean}, ${std}²), got [${a}, ${b}]`);
  }
  const moments = truncatedNormalMoments(mean, std, a, b);
  return makeInitializer(
    'truncatedNormal',
    'truncated_normal',
    (shape, c) => {
      const u = tf.randomUniform(shape, lo, hi, 'float32', c.seed);
      const w = tf.add(tf.mul(erfinv(u), std * Math.SQRT2), mean);
      return tf.clipByValue(w, a, b);
    },
    () => ({distribution: 'truncated_normal', mean: moments.mean, std: moments.std, low: a, high: b}),
  );
}

/**
 * erfinv(x) on a tensor, |x| < 1: Giles' single-precision approximation ("Approximating the
 * erfinv function", GPU Computing Gems, 2011), relative error < 4e-7 in float32.
 * @internal
 */
export function erfinv(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    // w = −log((1 − x)(1 + x)); clamp keeps log finite if |x| rounds to 1 in float32
    const w = tf.neg(tf.log(tf.maximum(tf.mul(tf.sub(1, x), tf.add(1, x)), 1e-37)));
    const central = horner(tf.sub(w, 2.5), [
      2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 2.1858087e-4, -1.25372503e-3,
      -4.17768164e-3, 2.46640727e-1, 1.50140941,
    ]);
    const tail = horner(tf.sub(tf.sqrt(w), 3), [
      -2.00214257e-4, 1.00950558e-4, 1.34934322e-3, -3.67342844e-3, 5.73950773e-3, -7.6224613e-3,
      9.43887047e-3, 1.00167406, 2.83297682,
    ]);
    return tf.mul(tf.where(tf.less(w, 5), central, tail), x);
  });
}

/** c[0]·t^(n−1) + … + c[n−1], by Horner's rule. */
function horner(t: tf.Tensor, c: number[]): tf.Tensor {
  let p: tf.Tensor = tf.fill(t.shape, c[0]);
  for (let i = 1; i < c.length; i++) p = tf.add(tf.mul(p, t), c[i]);
  return p;
}
