import {HeOptions, parseHeOptions} from './he_uniform';
import {Initializer} from './initializer';
import {makeVarianceScaling} from './variance_scaling';

/**
 * He / Kaiming normal: N(0, std²) UNTRUNCATED, std = gain/√fan, gain = calculateGain(nonlinearity, a),
 * fan = fanIn or fanOut.
 *
 * Same as PyTorch `torch.nn.init.kaiming_normal_(w, a, mode, nonlinearity)` and its defaults
 * (a = 0, `'fan_in'`, `'leaky_relu'` → gain √2, std = √(2/fanIn)). NOT the same as TF.js
 * `tf.initializers.heNormal`, which draws a truncated normal (±2σ) with σ = √(2/fanIn) uncorrected,
 * so its realised std is 0.88·√(2/fanIn), about 12% low (Keras in TF 2.x corrects σ by 1/0.8796).
 * Reference: He et al. 2015, https://arxiv.org/abs/1502.01852
 *
 * ```ts
 * const w = heNormal()([784, 512], {seed: 1}); // std √(2/784) = 0.0505
 * ```
 * @param opts see {@link HeOptions}
 */
export function heNormal(opts?: HeOptions): Initializer {
  const {scale, mode} = parseHeOptions('heNormal', opts);
  return makeVarianceScaling('heNormal', 'he_normal', scale, mode, 'normal');
}
