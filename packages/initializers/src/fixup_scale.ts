import {checkInt} from './validate';

/**
 * Fixup's rescaling factor for the inner layers of residual branches: L^(−1/(2m−2)), where L is
 * the number of residual branches and m the number of layers in each. Initialise each branch's
 * layers with a standard (He) initializer, multiply all but the last by this factor, and set the
 * last layer of each branch to zero (add the scalar biases and multiplier of the paper as needed).
 *
 * Reference: Zhang, Dauphin & Ma 2019, "Fixup Initialization", https://arxiv.org/abs/1901.09321
 * (no PyTorch / Keras built-in).
 *
 * ```ts
 * const s = fixupScale(16, 2);               // 16^(-1/2) = 0.25 (ResNet with 16 basic blocks)
 * const w = tf.mul(heNormal()([3, 3, 64, 64]), s);
 * ```
 * @param numBranches L, the number of residual branches, integer >= 1
 * @param layersPerBranch m, layers in each branch, integer >= 2
 */
export function fixupScale(numBranches: number, layersPerBranch: number): number {
  const L = checkInt('fixupScale', 'numBranches', numBranches, 1);
  const m = checkInt('fixupScale', 'layersPerBranch', layersPerBranch, 2);
  return Math.pow(L, -1 / (2 * m - 2));
}
