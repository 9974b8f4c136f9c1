import {parseGain} from './glorot_uniform';
import {Initializer} from './initializer';
import {makeVarianceScaling} from './variance_scaling';

/**
 * Glorot / Xavier normal: N(0, std²) UNTRUNCATED, std = gain·√(2/(fanIn + fanOut)).
 *
 * Same as PyTorch `torch.nn.init.xavier_normal_(w, gain)`. NOT the same as TF.js
 * `tf.initializers.glorotNormal`, which draws a truncated normal (±2σ) without correcting σ, so its
 * realised std is 0.88·std (≈12% low); Keras in TF 2.x corrects it (truncated, realised std = std).
 * Reference: Glorot & Bengio 2010, https://proceedings.mlr.press/v9/glorot10a.html
 *
 * ```ts
 * const w = glorotNormal()([512, 10], {seed: 1});
 * ```
 * @param opts.gain multiplier of the std, finite and > 0, default 1
 */
export function glorotNormal(opts?: {gain?: number}): Initializer {
  const gain = parseGain('glorotNormal', opts);
  return makeVarianceScaling('glorotNormal', 'glorot_normal', gain * gain, 'fan_avg', 'normal');
}
