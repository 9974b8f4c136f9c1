import * as tf from '@tensorflow/tfjs-core';
import {conv2dBackpropInputGradConfig, conv2dGradConfig} from './conv2d_grad';
import {depthwiseConv2dGradConfig} from './depthwise_conv2d_grad';
import {gatherGradConfig} from './gather_grad';
import {matMulGradConfig} from './mat_mul_grad';
import {maxPoolGradConfig} from './max_pool_grad';
import {captureStockGradient} from './stock_gradient';
import {coreRegistrationsPresent} from './core_registrations';
import {installWasmUntransposedGemm} from './wasm_mat_mul_kernel';
import {installWasmExplicitSamePadding} from './wasm_same_pad_kernel';
import {installWasmSharedIdentity} from './wasm_identity_kernel';
import {installWasmGemmSum} from './wasm_sum_kernel';
import {installWasmPoolElementwise} from './wasm_elementwise_kernel';
import {installWasmPoolConv} from './wasm_conv_kernel';

/** The gradient overrides installed by {@link registerTrainingKernels}. */
export const TRAINING_GRADIENTS: readonly tf.GradConfig[] = [
  conv2dGradConfig,
  conv2dBackpropInputGradConfig,
  depthwiseConv2dGradConfig,
  maxPoolGradConfig,
  gatherGradConfig,
  matMulGradConfig,
];

/**
 * Registers what training needs on every backend, WASM first (tfjs-core's own gradients must be
 * registered already: setupBackend makes sure of that): gradient overrides for Conv2D, Conv2DBackpropInput, DepthwiseConv2dNative, MaxPool
 * and GatherV2 written with forward kernels that WASM has (and that are exact on cpu and WebGL
 * too), a BatchMatMul gradient that sums over broadcast batch axes (stock tfjs-core fails
 * there), WASM GEMM kernels that never run a transposed product and split large batched products
 * into XNNPACK GEMMs (while cpu and WebGL keep their native transposed products), WASM conv kernels
 * that pass 'same' padding explicitly (XNNPACK's 'same' is wrong for some strides), and a WASM
 * Identity kernel that shares buffers instead of copying every tensor saved for a gradient.
 * `setupBackend` calls it; call it again if something later re-registers the stock gradients
 * (e.g. importing `@tensorflow/tfjs` after `setupBackend`).
 *
 * ```ts
 * registerTrainingKernels();
 * const g = tf.grad((w) => tf.sum(tf.conv2d(x, w, 1, 'same')))(w); // works on wasm
 * ```
 * @returns names of the kernels whose gradients were overridden and of the wrapped WASM kernels
 */
export function registerTrainingKernels(): {gradients: string[]; wasmKernels: string[]} {
  if (!coreRegistrationsPresent()) {
    throw new Error("registerTrainingKernels: tfjs-core's gradients and chained ops are not registered; call setupBackend() or import '@tensorflow/tfjs' first");
  }
  const isOurs = (g: tf.GradConfig): boolean => TRAINING_GRADIENTS.includes(g);
  for (const g of TRAINING_GRADIENTS) {
    captureStockGradient(g, isOurs);
    tf.registerGradient(g);
  }
  const wasmKernels = [...installWasmUntransposedGemm(), ...installWasmExplicitSamePadding(), ...installWasmSharedIdentity(), ...installWasmGemmSum(), ...installWasmPoolElementwise(), ...installWasmPoolConv()];
  return {gradients: TRAINING_GRADIENTS.map((g) => g.kernelName), wasmKernels};
}
