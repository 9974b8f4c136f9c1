// Gradient override for DepthwiseConv2dNative built from forward depthwise convolutions (the
// WASM backend has no DepthwiseConv2dNativeBackpropInput/Filter kernels).
import * as tf from '@tensorflow/tfjs-core';
import {depthwiseConv2dFilterGrad, depthwiseConv2dInputGrad} from './depthwise_conv2d_backprop';
import type {ConvAttrs} from './conv_backprop';

/**
 * Gradient of `DepthwiseConv2dNative` (NHWC): input and filter gradients as forward depthwise
 * convolutions; supports dilations > 1 (the stock gradient does not).
 */
export const depthwiseConv2dGradConfig: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNative,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const a = attrs as unknown as ConvAttrs;
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const d = dy as tf.Tensor4D;
    return {
      x: () => depthwiseConv2dInputGrad(x.shape, d, filter, a.strides, a.pad, a.dilations, a.dimRoundingMode),
      filter: () => depthwiseConv2dFilterGrad(x, d, filter.shape, a.strides, a.pad, a.dilations, a.dimRoundingMode),
    };
  },
};
