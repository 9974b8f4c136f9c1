// Depthwise-convolution backprops written as forward depthwise convolutions (the WASM backend
// has no DepthwiseConv2dNativeBackpropInput/Filter). Layout NHWC, filter [kh, kw, ci, m].
import * as tf from '@tensorflow/tfjs-core';
import {filterGradPad, pair, prepareInputGrad} from './conv_backprop';
import type {PadAttr, Rounding} from './conv_backprop';

/**
 * Input gradient of `depthwiseConv2d(x, W, strides, pad, 'NHWC', dilations)`: a stride-1
 * depthwise conv of the zero-inserted `dy` (ci·m channels) with the flipped filter, then a sum
 * over the channel multiplier.
 *
 * @param xShape forward input shape `[n, h, w, ci]`
 * @param dy gradient of the output `[n, oh, ow, ci·m]`
 * @param filter forward filter `[kh, kw, ci, m]`
 * @param strides forward strides
 * @param pad forward padding
 * @param dilations forward dilations
 * @param dimRoundingMode forward rounding mode
 * @returns dL/dx, shape `xShape`
 */
export function depthwiseConv2dInputGrad(
  xShape: [number, number, number, number], dy: tf.Tensor4D, filter: tf.Tensor4D,
  strides: number | [number, number], pad: PadAttr, dilations?: number | [number, number], dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const [n, h, w, ci] = xShape;
  const [kh, kw, , m] = filter.shape;
  const info = tf.backend_util.computeConv2DInfo(xShape, filter.shape, strides, pair(dilations), pad, dimRoundingMode, true);
  return tf.tidy(() => {
    const {dyUp, pad: p} = prepareInputGrad(dy, h, w, info);
    const f = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, ci * m, 1]) as tf.Tensor4D;
    const g = tf.depthwiseConv2d(dyUp, f, 1, p, 'NHWC', [info.dilationHeight, info.dilationWidth]);
    return m === 1 ? g : tf.sum(tf.reshape(g, [n, h, w, ci, m]), 4);
  });
}

/**
 * Filter gradient of `depthwiseConv2d(x, W, strides, pad, 'NHWC', dilations)`: the batch is
 * folded into the channels (`[1, h, w, n·ci]`), `dy` becomes a depthwise filter
 * `[oh, ow, n·ci, m]`, stride and dilation trade places, and the batch is summed out.
 *
 * @param x forward input `[n, h, w, ci]`
 * @param dy gradient of the output `[n, oh, ow, ci·m]`
 * @param filterShape `[kh, kw, ci, m]`
 * @param strides forward strides
 * @param pad forward padding
 * @param dilations forward dilations
 * @param dimRoundingMode forward rounding mode
 * @returns dL/dW, shape `filterShape`
 */
export function depthwiseConv2dFilterGrad(
  x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number],
  strides: number | [number, number], pad: PadAttr, dilations?: number | [number, number], dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const [n, h, w, ci] = x.shape;
  const [kh, kw, , m] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, pair(dilations), pad, dimRoundingMode, true);
  return tf.tidy(() => {
    const xf = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * ci]) as tf.Tensor4D;
    const [, oh, ow] = dy.shape;
    const f = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * ci, m]) as tf.Tensor4D;
    const g = tf.depthwiseConv2d(
      xf, f, [info.dilationHeight, info.dilationWidth], filterGradPad(x.shape, info, kh, kw), 'NHWC',
      [info.strideHeight, info.strideWidth],
    ); // [1, >=kh, >=kw, n·ci·m]
    const cut = g.shape[1] === kh && g.shape[2] === kw ? g : tf.slice(g, [0, 0, 0, 0], [1, kh, kw, -1]);
    return tf.sum(tf.reshape(cut, [kh, kw, n, ci, m]), 2);
  });
}
