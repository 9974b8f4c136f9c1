// Helpers for the grad_clip.json goldens (PyTorch 1.13, see tools/goldens/README.md §2).
import * as tf from '@tensorflow/tfjs-core';
import {goldenData, goldenTensor, loadGolden, type GoldenTensor} from '@stable-train/testing';

export interface GoldenEntry {
  name: string;
  layout: string;
  param: GoldenTensor;
  grad: GoldenTensor;
}

export interface GradList {
  name: string;
  tensors: GoldenEntry[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  clip_grad_norm: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  clip_grad_value: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  per_tensor_clip_norm: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  adaptive_grad_clip: any[];
}

export function gradLists(): GradList[] {
  return loadGolden('grad_clip').grad_lists as GradList[];
}

/** The list's gradients (or parameters) as a NamedTensorMap, in file order. */
export function toMap(list: GradList, field: 'grad' | 'param'): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const t of list.tensors) out[t.name] = goldenTensor(t[field]);
  return out;
}

/**
 * Tolerance for one expected tensor (goldens README: rel 1e-5 plus an absolute floor of 1e-6 at
 * unit scale). The floor is scaled by the largest |value| of the list, so the `large_values`
 * list (~1e4) gets 1e-6·scale as the README says and `small_values` (~3e-6) is not compared
 * against a floor larger than its own values.
 */
export function tolFor(list: GradList): {rtol: number; atol: number} {
  let scale = 0;
  for (const t of list.tensors) for (const v of goldenData(t.grad)) scale = Math.max(scale, Math.abs(v));
  return {rtol: 1e-5, atol: 1e-6 * scale};
}
