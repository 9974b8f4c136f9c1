// Gradient overrides for Conv2D and Conv2DBackpropInput (conv2dTranspose) built from forward
// convolutions, so they run on every backend, including WASM which lacks Conv2DBackpropFilter.
import * as tf from '@tensorflow/tfjs-core';
import {stockGradient} from './stock_gradient';
import {conv2dFilterGrad, conv2dInputGrad} from './conv_backprop';
import type {ConvAttrs} from './conv_backprop';

/**
 * Gradient of `Conv2D` (NHWC): input gradient by a forward conv of the zero-inserted `dy` with the
 * flipped filter, filter gradient by a forward conv with stride and dilation swapped. Unlike the
 * stock gradient it also supports dilations > 1. NCHW falls back to the stock gradient.
 */
export const conv2dGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const a = attrs as unknown as ConvAttrs;
    if (a.dataFormat === 'NCHW') return stockGradient(tf.Conv2D).gradFunc(dy, saved, attrs);
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const d = dy as tf.Tensor4D;
    return {
      x: () => conv2dInputGrad(x.shape, d, filter, a.strides, a.pad, a.dilations, a.dimRoundingMode),
      filter: () => conv2dFilterGrad(x, d, filter.shape, a.strides, a.pad, a.dilations, a.dimRoundingMode),
    };
  },
};

/**
 * Gradient of `Conv2DBackpropInput` (the kernel behind `conv2dTranspose`): the `dy` gradient is a
 * forward conv2d, the filter gradient the forward-conv filter gradient of {@link conv2dFilterGrad}.
 */
export const conv2dBackpropInputGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2DBackpropInput,
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx, saved, attrs) => {
    const a = attrs as unknown as ConvAttrs;
    if (a.dataFormat === 'NCHW') return stockGradient(tf.Conv2DBackpropInput).gradFunc(ddx, saved, attrs);
    const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const g = ddx as tf.Tensor4D;
    return {
      dy: () => tf.conv2d(g, filter, a.strides, a.pad, 'NHWC', 1, a.dimRoundingMode),
      filter: () => conv2dFilterGrad(g, dy, filter.shape, a.strides, a.pad, 1, a.dimRoundingMode),
    };
  },
};
