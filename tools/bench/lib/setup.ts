// Backend setup shared by the stability/perf benchmarks: WASM-SIMD with stable-train's gradients
// and training kernels, tfjs warnings silenced.
import * as tf from '@tensorflow/tfjs-core';
import {setupBackend, type BackendReport} from '../../../packages/stable-train/src/backends';

/** `setupBackend({backend: 'wasm'})`, then PROD mode (no debug checks or warnings). */
export async function setupWasm(): Promise<BackendReport> {
  const r = await setupBackend({backend: 'wasm'});
  tf.env().set('PROD', true);
  return r;
}
