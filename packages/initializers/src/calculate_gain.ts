import {checkNumber, show} from './validate';

/** Nonlinearities `calculateGain` knows (PyTorch's table). */
export const NONLINEARITIES = [
  'linear',
  'identity',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'selu',
] as const;

/** One of the names in {@link NONLINEARITIES}. */
export type Nonlinearity = (typeof NONLINEARITIES)[number];

/**
 * The recommended gain for a nonlinearity, exactly PyTorch's table:
 * linear / identity / conv* / sigmoid → 1, tanh → 5/3, relu → √2,
 * leaky_relu → √(2 / (1 + slope²)) (slope defaults to 0.01), selu → 3/4.
 *
 * Same as PyTorch `torch.nn.init.calculate_gain`.
 * Reference: https://pytorch.org/docs/stable/nn.init.html#torch.nn.init.calculate_gain
 *
 * ```ts
 * calculateGain('relu');             // 1.4142135623730951
 * calculateGain('leaky_relu', 0.2);  // 1.3867504905630728
 * ```
 * @param nonlinearity the activation that follows the layer
 * @param param the negative slope of `leaky_relu` (finite; default 0.01); ignored otherwise
 * @returns the gain, a positive number
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (typeof nonlinearity !== 'string' || !(NONLINEARITIES as readonly string[]).includes(nonlinearity)) {
    throw new Error(
      `calculateGain: nonlinearity must be one of ${NONLINEARITIES.join(', ')}, got ${show(nonlinearity)}`,
    );
  }
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.sqrt(2);
    case 'leaky_relu': {
      const slope = param === undefined ? 0.01 : checkNumber('calculateGain', 'param', param);
      // PyTorch's sqrt(2 / (1 + slope²)), bit for bit; past |slope| ~1e154 slope² overflows to
      // Infinity (gain 0), where the same value is √2 / |slope|
      const sq = slope * slope;
      return Number.isFinite(sq) ? Math.sqrt(2 / (1 + sq)) : Math.SQRT2 / Math.abs(slope);
    }
    case 'selu':
      // PyTorch's value: makes the variance of SELU networks stable for self-normalising inputs
      return 3 / 4;
    default:
      return 1;
  }
}
