// Gradient override for MaxPool that routes each window's gradient to its true arg-max (first
// maximum in row-major window order, as the cpu backend does), also for windows whose maximum
// is <= 0, where the WASM MaxPoolGrad / MaxPoolWithArgmax kernels pick the wrong element.
import * as tf from '@tensorflow/tfjs-core';
import {pair} from './conv_backprop';
import type {PadAttr, Rounding} from './conv_backprop';

const int1d = (v: number[], shape: number[]) => tf.tensor(v, shape, 'int32');
const range = (n: number, f: (i: number) => number) => Array.from({length: n}, (_, i) => f(i));

/**
 * dL/dx of `maxPool(x, filterSize, strides, pad)` (NHWC): stacks the window taps, takes the
 * arg-max over them, turns it into a flat input index and scatters `dy` there with `scatterND`
 * (which sums, so overlapping windows add up as they should).
 *
 * @param dy gradient of the pooled output `[n, oh, ow, c]`
 * @param x forward input `[n, h, w, c]`
 * @param filterSize pooling window
 * @param strides pooling strides
 * @param pad forward padding
 * @param dimRoundingMode forward rounding mode
 * @returns dL/dx, shape of `x`
 */
export function maxPoolInputGrad(
  dy: tf.Tensor4D, x: tf.Tensor4D, filterSize: number | [number, number],
  strides: number | [number, number], pad: PadAttr, dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const info = tf.backend_util.computePool2DInfo(x.shape, pair(filterSize), pair(strides), 1, pad, dimRoundingMode);
  const {outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw} = info;
  const {top, left} = info.padInfo;
  return tf.tidy(() => {
    const needH = (oh - 1) * sh + fh;
    const needW = (ow - 1) * sw + fw;
    const xp = tf.pad(
      x, [[0, 0], [top, Math.max(0, needH - h - top)], [left, Math.max(0, needW - w - left)], [0, 0]], -Infinity,
    ) as tf.Tensor4D;
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        taps.push(tf.stridedSlice(xp, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]));
      }
    }
    const arg = tf.argMax(tf.stack(taps), 0); // [n, oh, ow, c], first max wins
    // flat index into x = base(b, r, q, ch) + offset(tap)
    const offsets = int1d(range(fh * fw, (k) => (Math.floor(k / fw) * w + (k % fw)) * c), [fh * fw]);
    const base = tf.addN([
      int1d(range(n, (b) => b * h * w * c), [n, 1, 1, 1]),
      int1d(range(oh, (r) => (r * sh - top) * w * c), [1, oh, 1, 1]),
      int1d(range(ow, (q) => (q * sw - left) * c), [1, 1, ow, 1]),
      int1d(range(c, (ch) => ch), [1, 1, 1, c]),
    ].map((t) => tf.broadcastTo(t, [n, oh, ow, c])));
    const flat = tf.add(base, tf.gather(offsets, arg));
    const dx = tf.scatterND(tf.reshape(flat, [-1, 1]), tf.reshape(dy, [-1]), [n * h * w * c]);
    return tf.reshape(dx, x.shape);
  });
}

/** Gradient of `MaxPool` via {@link maxPoolInputGrad}; correct on every backend. */
export const maxPoolGradConfig: tf.GradConfig = {
  kernelName: tf.MaxPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor4D];
    const a = attrs as unknown as {filterSize: number | [number, number]; strides: number | [number, number]; pad: PadAttr; dimRoundingMode?: Rounding};
    return {x: () => maxPoolInputGrad(dy as tf.Tensor4D, x, a.filterSize, a.strides, a.pad, a.dimRoundingMode)};
  },
};
