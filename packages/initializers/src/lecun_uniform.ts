import {Initializer} from './initializer';
import {checkOptions} from './validate';
import {makeVarianceScaling} from './variance_scaling';

/**
 * LeCun uniform: U(−√(3/fanIn), √(3/fanIn)), std = 1/√fanIn (for SELU / self-normalising nets).
 *
 * Same as Keras / TF.js `LecunUniform`, PyTorch `kaiming_uniform_(w, mode='fan_in',
 * nonlinearity='linear')`. Reference: LeCun et al. 1998, "Efficient BackProp";
 * Klambauer et al. 2017, https://arxiv.org/abs/1706.02515
 *
 * ```ts
 * const w = lecunUniform()([256, 256]);
 * ```
 */
export function lecunUniform(opts?: Record<string, never>): Initializer {
  checkOptions('lecunUniform', opts);
  return makeVarianceScaling('lecunUniform', 'lecun_uniform', 1, 'fan_in', 'uniform');
}
