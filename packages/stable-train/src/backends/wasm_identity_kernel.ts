// tfjs-backend-wasm 4.22's Identity kernel copies its input into a new heap buffer. The engine
// calls Identity for every tensor a gradient saves (saveTensorsForBackwardMode clones them), so
// on WASM each training step copies every saved activation and weight once more: 0.8 ms of a
// 35 ms MLP step (tools/bench/backends.ts). Tensors are immutable and the WASM backend keeps a
// reference count per buffer, so Identity can share the buffer instead, as the cpu backend does.
import * as tf from '@tensorflow/tfjs-core';
import {rewrapWasmKernels} from './wasm_kernel_wrap';

const WRAPPED = Symbol.for('stable-train.wasm-shared-identity');

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

function wrap(orig: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const {x} = args.inputs as unknown as {x: tf.TensorInfo};
    // Cast to its own dtype (tfjs-core's ReLU gradient casts step(x), already float32) is an identity too
    const castTo = (args.attrs as {dtype?: tf.DataType} | undefined)?.dtype;
    if (x.dtype === 'string' || (orig.kernelName === tf.Cast && castTo !== x.dtype)) return orig.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return {dataId: x.dataId, shape: x.shape, dtype: x.dtype};
  };
  return Object.assign({...orig, kernelFunc}, {[WRAPPED]: true});
}

/**
 * Re-registers the WASM `Identity` kernel (used by `tf.clone` and by the engine for every tensor
 * saved for a gradient), and `Cast` to the input's own dtype, so that they share the input's heap
 * buffer through the backend's reference count instead of copying it. Values are unchanged:
 * tensors are never written in place. Idempotent; a no-op when the WASM kernels are not registered.
 *
 * ```ts
 * installWasmSharedIdentity(); // setupBackend() calls this for you
 * ```
 * @returns the kernels wrapped (`['Identity', 'Cast']`), or `[]` without the WASM kernels
 */
export function installWasmSharedIdentity(): string[] {
  return rewrapWasmKernels([tf.Identity, tf.Cast], WRAPPED, wrap);
}
