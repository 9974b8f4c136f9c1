import {Initializer} from './initializer';
import {checkOptions} from './validate';
import {makeVarianceScaling} from './variance_scaling';

/**
 * LeCun normal: N(0, 1/fanIn) UNTRUNCATED (std = 1/√fanIn), for SELU / self-normalising nets.
 *
 * Same as PyTorch `kaiming_normal_(w, mode='fan_in', nonlinearity='linear')` (PyTorch has no
 * lecun_normal). Keras `LecunNormal` draws a truncated normal with σ corrected by 1/0.8796 (realised
 * std also 1/√fanIn; `varianceScaling()` here is that variant); TF.js `tf.initializers.leCunNormal`
 * truncates WITHOUT the correction, so its realised std is ≈12% low.
 * Reference: Klambauer et al. 2017, https://arxiv.org/abs/1706.02515
 *
 * ```ts
 * const w = lecunNormal()([256, 256], {seed: 5});
 * ```
 */
export function lecunNormal(opts?: Record<string, never>): Initializer {
  checkOptions('lecunNormal', opts);
  return makeVarianceScaling('lecunNormal', 'lecun_normal', 1, 'fan_in', 'normal');
}
