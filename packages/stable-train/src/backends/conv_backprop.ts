// Convolution backprops written as FORWARD convolutions, which every backend has and which the
// WASM backend runs through XNNPACK (its own Conv2DBackpropFilter does not exist and its
// Conv2DBackpropInput is slow). Layout NHWC, filter [kh, kw, in, out].
import * as tf from '@tensorflow/tfjs-core';

/** Explicit padding as tfjs ops take it. */
export type Explicit = tf.backend_util.ExplicitPadding;

/** Padding attribute of a 2-D conv/pool kernel. */
export type PadAttr = 'valid' | 'same' | number | Explicit;

/** Rounding mode attribute of a 2-D conv/pool kernel. */
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** The attributes the conv kernels' gradients read (Conv2D, Conv2DBackpropInput, DepthwiseConv2dNative). */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: Rounding;
}

export const pair = (v: number | [number, number] | undefined): [number, number] =>
  v == null ? [1, 1] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

const explicit = (t: number, b: number, l: number, r: number): Explicit => [[0, 0], [t, b], [l, r], [0, 0]];

/**
 * Inserts `s - 1` zeros after every row / column of `dy` (the "fractionally strided" view of a
 * strided convolution's output gradient). Returns `[n, oh·sh, ow·sw, c]`; trailing zeros included.
 */
export function zeroInsert(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  return tf.tidy(() => {
    const six = tf.reshape(dy, [n, oh, 1, ow, 1, c]);
    const padded = tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    return tf.reshape(padded, [n, oh * sh, ow * sw, c]);
  });
}

/**
 * Given the zero-inserted gradient along one axis (length `len`), the input length `size`, the
 * forward pad before (`before`) and the effective filter extent `eff`, returns how much to slice
 * off / pad on each side so that a stride-1 correlation with the flipped filter yields `size`.
 */
function span(len: number, size: number, before: number, eff: number) {
  const lo = eff - 1 - before; // > 0: pad zeros in front, < 0: drop entries
  const hi = size - 1 + before - (len - 1);
  return {drop0: Math.max(0, -lo), keep: len - Math.max(0, -lo) - Math.max(0, -hi), pad0: Math.max(0, lo), pad1: Math.max(0, hi)};
}

/**
 * Zero-inserts `dy`, crops it and returns it with the explicit padding under which a stride-1
 * correlation (dilation = forward dilation) with the spatially flipped filter gives the input
 * gradient of a convolution with input spatial size `[h, w]`.
 */
export function prepareInputGrad(
  dy: tf.Tensor4D, h: number, w: number, info: tf.backend_util.Conv2DInfo,
): {dyUp: tf.Tensor4D; pad: Explicit} {
  const up = zeroInsert(dy, info.strideHeight, info.strideWidth);
  const sH = span(up.shape[1], h, info.padInfo.top, info.effectiveFilterHeight);
  const sW = span(up.shape[2], w, info.padInfo.left, info.effectiveFilterWidth);
  let dyUp = up;
  if (sH.drop0 > 0 || sW.drop0 > 0 || sH.keep < up.shape[1] || sW.keep < up.shape[2]) {
    dyUp = tf.slice(up, [0, sH.drop0, sW.drop0, 0], [-1, sH.keep, sW.keep, -1]);
    if (up !== dy) up.dispose();
  }
  return {dyUp, pad: explicit(sH.pad0, sH.pad1, sW.pad0, sW.pad1)};
}

/**
 * Padding for a filter gradient computed as a forward correlation of the input with `dy`:
 * the forward top/left pads, and bottom/right pads trimmed to what the correlation reads.
 */
export function filterGradPad(xShape: number[], info: tf.backend_util.Conv2DInfo, kh: number, kw: number): Explicit {
  const {top, left} = info.padInfo;
  const needH = (info.outHeight - 1) * info.strideHeight + (kh - 1) * info.dilationHeight + 1;
  const needW = (info.outWidth - 1) * info.strideWidth + (kw - 1) * info.dilationWidth + 1;
  return explicit(top, Math.max(0, needH - xShape[1] - top), left, Math.max(0, needW - xShape[2] - left));
}

/**
 * Filter gradient of `conv2d(x, W, strides, pad, 'NHWC', dilations)`, computed as one forward
 * conv2d with the roles swapped: input channels become the batch, the batch becomes the
 * contraction axis, `dy` becomes the filter, and stride and dilation trade places.
 *
 * @param x forward input `[n, h, w, ci]`
 * @param dy gradient of the output `[n, oh, ow, co]`
 * @param filterShape `[kh, kw, ci, co]`
 * @param strides forward strides
 * @param pad forward padding
 * @param dilations forward dilations
 * @param dimRoundingMode forward rounding mode
 * @returns dL/dW, shape `filterShape`
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number],
  strides: number | [number, number], pad: PadAttr, dilations?: number | [number, number], dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const [kh, kw, ci, co] = filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, pair(dilations), pad, dimRoundingMode);
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]); // [ci, h, w, n]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, n, co]
    const g = tf.conv2d(
      xt, dyt, [info.dilationHeight, info.dilationWidth], filterGradPad(x.shape, info, kh, kw), 'NHWC',
      [info.strideHeight, info.strideWidth],
    ); // [ci, >=kh, >=kw, co]
    const cut = g.shape[1] === kh && g.shape[2] === kw ? g : tf.slice(g, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(cut, [1, 2, 0, 3]);
  });
}

/**
 * Input gradient of `conv2d(x, W, strides, pad, 'NHWC', dilations)`, computed as a forward
 * stride-1 conv2d of the zero-inserted `dy` with the flipped, in/out-swapped filter.
 *
 * @param xShape forward input shape `[n, h, w, ci]`
 * @param dy gradient of the output `[n, oh, ow, co]`
 * @param filter forward filter `[kh, kw, ci, co]`
 * @param strides forward strides
 * @param pad forward padding
 * @param dilations forward dilations
 * @param dimRoundingMode forward rounding mode
 * @returns dL/dx, shape `xShape`
 */
export function conv2dInputGrad(
  xShape: [number, number, number, number], dy: tf.Tensor4D, filter: tf.Tensor4D,
  strides: number | [number, number], pad: PadAttr, dilations?: number | [number, number], dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(xShape, filter.shape, strides, pair(dilations), pad, dimRoundingMode);
  return tf.tidy(() => {
    const {dyUp, pad: p} = prepareInputGrad(dy, xShape[1], xShape[2], info);
    const wT = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, co, ci]
    return tf.conv2d(dyUp, wT, 1, p, 'NHWC', [info.dilationHeight, info.dilationWidth]);
  });
}
