import {checkShape} from './validate';

/** Fans of a weight shape in TF.js layout. */
export interface Fans {
  fanIn: number;
  fanOut: number;
  /** product of the spatial dims (1 for dense kernels) */
  receptiveField: number;
}

/**
 * Fan-in and fan-out of a weight in TF.js layout: for rank >= 2 the last axis is the output
 * channels and the one before it the input channels, every axis before those is spatial:
 * receptiveField = ∏ shape[:-2], fanIn = shape[-2]·receptiveField, fanOut = shape[-1]·receptiveField.
 * Dense `[in, out]` → (in, out); conv `[h, w, in, out]` → (in·h·w, out·h·w).
 * Rank 1 (a bias) gives fanIn = fanOut = shape[0] and rank 0 gives 1, as Keras does
 * (PyTorch refuses tensors of rank < 2).
 *
 * Same values as PyTorch `torch.nn.init._calculate_fan_in_and_fan_out` on the PyTorch layout
 * (`[out, in]`, `[out, in, h, w]`) and Keras `compute_fans` on the TF layout.
 *
 * ```ts
 * computeFans([3, 3, 16, 32]); // {fanIn: 144, fanOut: 288, receptiveField: 9}
 * ```
 * @param shape the weight's shape, positive integers
 */
export function computeFans(shape: number[]): Fans {
  const s = checkShape('computeFans', shape);
  if (s.length === 0) return {fanIn: 1, fanOut: 1, receptiveField: 1};
  if (s.length === 1) return {fanIn: s[0], fanOut: s[0], receptiveField: 1};
  const receptiveField = s.slice(0, -2).reduce((a, b) => a * b, 1);
  return {fanIn: s[s.length - 2] * receptiveField, fanOut: s[s.length - 1] * receptiveField, receptiveField};
}
