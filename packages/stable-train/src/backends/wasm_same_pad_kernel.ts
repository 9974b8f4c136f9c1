// tfjs-backend-wasm 4.22 hands 'same' padding to XNNPACK as a flag, which gives wrong results
// when the strided windows do not reach the end of the input (e.g. a 1x2 filter with stride 3 on
// width 3: cpu 210, wasm 0; a 1x1 stride-2 'same' shortcut has the same shape of problem).
// Passing the padding explicitly (computed as tfjs computes 'same') is exact.
import * as tf from '@tensorflow/tfjs-core';
import {rewrapWasmKernels} from './wasm_kernel_wrap';

const WRAPPED = Symbol.for('stable-train.wasm-explicit-same-pad');
const KERNELS: Array<[string, boolean]> = [
  [tf.Conv2D, false], [tf.FusedConv2D, false], [tf.DepthwiseConv2dNative, true], [tf.FusedDepthwiseConv2D, true],
];

interface ConvAttrs {
  strides: number | [number, number];
  pad: unknown;
  dilations?: number | [number, number];
  dataFormat?: string;
}

function wrap(orig: tf.KernelConfig, depthwise: boolean): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const a = args.attrs as unknown as ConvAttrs;
    if (a.pad !== 'same') return orig.kernelFunc(args);
    const {x, filter} = args.inputs as unknown as {x: tf.TensorInfo; filter: tf.TensorInfo};
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides, a.dilations ?? 1, 'same', undefined, depthwise,
      a.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
    );
    const {top, bottom, left, right} = info.padInfo;
    const pad = a.dataFormat === 'NCHW' ? [[0, 0], [0, 0], [top, bottom], [left, right]] : [[0, 0], [top, bottom], [left, right], [0, 0]];
    return orig.kernelFunc({...args, attrs: {...args.attrs, pad} as unknown as tf.NamedAttrMap});
  };
  return Object.assign({...orig, kernelFunc}, {[WRAPPED]: true});
}

/**
 * Re-registers the WASM Conv2D, FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2D
 * kernels so that 'same' padding reaches XNNPACK as explicit pads. Idempotent; a no-op when the
 * WASM kernels are not registered.
 *
 * ```ts
 * installWasmExplicitSamePadding(); // setupBackend() calls this for you
 * ```
 * @returns the kernel names that are wrapped
 */
export function installWasmExplicitSamePadding(): string[] {
  return KERNELS.flatMap(([name, depthwise]) => rewrapWasmKernels([name], WRAPPED, (orig) => wrap(orig, depthwise)));
}
