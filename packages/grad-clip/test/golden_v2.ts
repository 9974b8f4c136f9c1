// Helpers for the clip_v2.json goldens (PyTorch 1.13 / Optax port, see tools/goldens/README-v2.md §6).
import * as tf from '@tensorflow/tfjs-core';
import {goldenData, goldenTensor, loadGolden, type GoldenTensor} from '@stable-train/testing';

export interface GradListV2 {
  name: string;
  tensors: {name: string; grad: GoldenTensor}[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  clip_grad_norm: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  per_parameter_clip_grad_norm: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  optax_clip_by_block_rms: any[];
}

export function gradListsV2(): GradListV2[] {
  return loadGolden('clip_v2').grad_lists as GradListV2[];
}

export function toMapV2(list: GradListV2): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const t of list.tensors) out[t.name] = goldenTensor(t.grad);
  return out;
}

/** README-v2 §6 tolerance: 1e-5 relative + 1e-6·scale absolute (scale = largest |g| of the list). */
export function tolForV2(list: GradListV2): {rtol: number; atol: number} {
  let scale = 0;
  for (const t of list.tensors) for (const v of goldenData(t.grad)) scale = Math.max(scale, Math.abs(v));
  return {rtol: 1e-5, atol: 1e-6 * scale};
}
