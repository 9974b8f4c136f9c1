import * as tf from '@tensorflow/tfjs-core';
import {parseGain} from './glorot_uniform';
import {Initializer, makeInitializer} from './initializer';
import {gaussianOrthogonal} from './orthogonal';

/**
 * Delta-orthogonal initializer for conv kernels `[...spatial, in, out]` (rank 3, 4 or 5):
 * every tap is zero except the spatial centre (index ⌊(k−1)/2⌋ on each spatial axis), which holds
 * gain·H with H an orthogonal [in, out] matrix (H Hᵀ = I, needs in <= out). The convolution then
 * starts as an orthogonal 1x1 map: norms of its inputs are preserved exactly (dynamical isometry),
 * which lets vanilla CNNs of thousands of layers train.
 *
 * Same as TF `tf.compat.v1.initializers.convolutional_delta_orthogonal` (no PyTorch built-in).
 * Reference: Xiao et al. 2018, https://arxiv.org/abs/1806.05393
 *
 * ```ts
 * const k = deltaOrthogonal()([3, 3, 64, 64], {seed: 0});
 * ```
 * @param opts.gain multiplier, finite and > 0, default 1
 */
export function deltaOrthogonal(opts?: {gain?: number}): Initializer {
  const gain = parseGain('deltaOrthogonal', opts);
  const check = (shape: number[]): void => {
    const [cin, cout] = shape.slice(-2);
    if (cin > cout) {
      throw new Error(
        `deltaOrthogonal: in channels must be <= out channels, got shape [${shape}] (in ${cin}, out ${cout})`,
      );
    }
  };
  return makeInitializer(
    'deltaOrthogonal',
    'delta_orthogonal',
    (shape, c) => {
      check(shape);
      const spatial = shape.slice(0, -2);
      const [cin, cout] = shape.slice(-2);
      const h = gaussianOrthogonal(cin, cout, c.seed);
      // row-major offset of the centre tap: Σ centre_d · stride_d, stride of the last spatial axis = cin·cout
      let offset = 0;
      for (const k of spatial) offset = offset * k + ((k - 1) >> 1);
      offset *= cin * cout;
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < cin * cout; i++) data[offset + i] = h[i] * gain;
      return tf.tensor(data, shape, 'float32');
    },
    (shape) => {
      check(shape);
      const n = shape.reduce((a, b) => a * b, 1);
      const cin = shape[shape.length - 2];
      // `std` is the rms: cin·cout nonzero entries whose squares sum to gain²·cin (orthonormal rows)
      return {distribution: 'orthogonal', mean: 0, std: gain * Math.sqrt(cin / n)};
    },
    {minRank: 3, maxRank: 5},
  );
}
