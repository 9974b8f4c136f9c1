import * as tf from '@tensorflow/tfjs-core';
import {Initializer, makeInitializer} from './initializer';
import {checkInt, checkOptions} from './validate';

/**
 * The Dirac delta for conv kernels `[...spatial, in, out]` (rank 3, 4 or 5; `in` is the input
 * channels per group): every tap is zero except the spatial centre, index ⌊k/2⌋ on each spatial
 * axis, where w[centre, d, g·(out/groups) + d] = 1 for every group g < groups and every
 * d < min(out/groups, in). A convolution with it copies its first min(in, out/groups) input
 * channels into each group's outputs (with `groups` = 1 and in = out: the identity), so deep
 * conv stacks start as the identity map.
 *
 * Same as PyTorch `torch.nn.init.dirac_(w, groups)` on the PyTorch layout `[out, in, ...]`,
 * including its centre index ⌊k/2⌋: for odd k that is the centre that TF.js 'same' padding keeps
 * in place; for even k TF.js pads ⌊(k−1)/2⌋ before, so the output is shifted by one pixel (as it
 * is in PyTorch with `padding = k // 2`). ({@link deltaOrthogonal} centres at ⌊(k−1)/2⌋.)
 * Reference: https://pytorch.org/docs/stable/nn.init.html#torch.nn.init.dirac_
 *
 * ```ts
 * const k = dirac()([3, 3, 64, 64]); // tf.conv2d(x, k, 1, 'same') returns x
 * ```
 * @param opts.groups number of conv groups, a positive integer dividing `out` (default 1)
 */
export function dirac(opts?: {groups?: number}): Initializer {
  const o = checkOptions<{groups: number}>('dirac', opts);
  const groups = o.groups === undefined ? 1 : checkInt('dirac', 'groups', o.groups, 1);
  const layout = (shape: number[]) => {
    const [cin, cout] = shape.slice(-2);
    if (cout % groups !== 0) {
      throw new Error(`dirac: out channels must be divisible by groups, got shape [${shape}] (out ${cout}) and groups ${groups}`);
    }
    const perGroup = cout / groups;
    return {cin, cout, perGroup, ones: groups * Math.min(perGroup, cin)};
  };
  return makeInitializer(
    'dirac',
    'dirac',
    (shape, c) => {
      const {cin, cout, perGroup} = layout(shape);
      // row-major offset of the centre tap: Σ centre_d · stride_d, stride of the last spatial axis = cin·cout
      let centre = 0;
      for (const k of shape.slice(0, -2)) centre = centre * k + (k >> 1);
      centre *= cin * cout;
      const data = c.dtype === 'int32' ? new Int32Array(shape.reduce((a, b) => a * b, 1)) : new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let g = 0; g < groups; g++) {
        for (let d = 0; d < Math.min(perGroup, cin); d++) data[centre + d * cout + g * perGroup + d] = 1;
      }
      return tf.tensor(data, shape, c.dtype);
    },
    (shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const mean = layout(shape).ones / n;
      return {distribution: 'identity', mean, std: Math.sqrt(mean - mean * mean), low: 0, high: 1};
    },
    {minRank: 3, maxRank: 5, floatOnly: false},
  );
}
