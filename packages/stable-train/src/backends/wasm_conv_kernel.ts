// 2-D convolutions (NHWC) on stable-train's GEMM kernel and pool: im2col of a block of output
// pixels into each thread's scratch, then the GEMM kernel (./wasm_gemm.ts runConv). With the GEMM
// pool holding the threads, XNNPACK's convolutions would run on one thread; this puts the forward
// convolution, and every backprop written as one (./conv_backprop.ts), on all of them. On one
// thread it is as fast as XNNPACK's (convnet step 49-50 ms both), and results do not depend on
// the thread count.
import * as tf from '@tensorflow/tfjs-core';
import {wasmGemmFor} from './wasm_gemm';
import {FUSED_CLAMPS, heapOffset, rewrapWasmKernels, type HeapBackend} from './wasm_kernel_wrap';

const WRAPPED = Symbol.for('stable-train.wasm-pool-conv');

type Info = tf.TensorInfo;
interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

function wrap(orig: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const {x, filter, bias, preluActivationWeights} = args.inputs as unknown as {x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info};
    const a = args.attrs as unknown as ConvAttrs;
    const clamp = FUSED_CLAMPS[a.activation ?? 'linear'];
    const backend = args.backend as unknown as HeapBackend;
    const engine = wasmGemmFor(backend);
    if (engine == null || !engine.convolutions || clamp == null || preluActivationWeights != null || a.dataFormat === 'NCHW' ||
      x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) {
      return orig.kernelFunc(args);
    }
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    if (bias != null && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== info.outChannels)) return orig.kernelFunc(args);
    const [px, pf, pb] = [heapOffset(backend, x), heapOffset(backend, filter), bias ? heapOffset(backend, bias) : 0];
    if (px === undefined || pf === undefined || pb === undefined) return orig.kernelFunc(args);
    const out = backend.makeOutput(info.outShape, 'float32');
    engine.runConv({
      x: px, filter: pf, out: heapOffset(backend, out)!, bias: pb, n: info.batchSize, h: info.inHeight, w: info.inWidth, c: info.inChannels,
      kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth, dh: info.dilationHeight, dw: info.dilationWidth,
      padTop: info.padInfo.top, padLeft: info.padInfo.left, oh: info.outHeight, ow: info.outWidth, cout: info.outChannels, lo: clamp[0], hi: clamp[1],
    });
    return out;
  };
  return {...orig, kernelFunc};
}

/**
 * Re-registers the WASM `Conv2D` and `FusedConv2D` kernels so that float32 NHWC convolutions
 * (any stride, dilation and padding; bias and linear/relu/relu6 fused) run as im2col + GEMM on
 * stable-train's kernel, split among the GEMM pool's threads. PReLU/leaky/sigmoid/elu, NCHW, and
 * setupBackend's `threadPool: 'xnnpack'` take the stock XNNPACK kernels. Idempotent.
 *
 * ```ts
 * installWasmPoolConv(); // setupBackend() calls this for you
 * ```
 * @returns the kernel names wrapped
 */
export function installWasmPoolConv(): string[] {
  return rewrapWasmKernels([tf.Conv2D, tf.FusedConv2D], WRAPPED, wrap);
}
