import type {NamedTensorMap, Scalar, Tensor} from '@tensorflow/tfjs-core';

/** A tensor with a name, as tfjs optimizers' `getWeights()` hands them out. */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** Which vector norm: 1 (sum of |g|), 2 (Euclidean) or `'inf'` (max |g|), as PyTorch's `norm_type`. */
export type NormType = 1 | 2 | 'inf';

/**
 * Order p of a vector norm where any p is allowed (`clipByGlobalNorm`, `globalNorm`, per-parameter
 * clipping): a finite number >= 1, or `'inf'` (max |g|), as PyTorch `clip_grad_norm_`'s `norm_type`.
 */
export type PNormType = number | 'inf';

/**
 * What a training loop already measured on a gradient map, handed to transforms so they need not
 * measure it again. A transform uses it only when it is called with that very map
 * (`ctx.grads === grads`); the loop keeps `globalNorm` alive during the call and disposes it.
 */
export interface GradContext {
  /** the gradient map the numbers below were measured on */
  grads: NamedTensorMap;
  /** the global L2 norm sqrt(Σ g²) of exactly `grads` (may be non-finite) */
  globalNorm: Scalar;
  /**
   * `globalNorm` already read back to the host (its float32 value), when the loop reads it anyway
   * (a training guard does). A global-norm clipper then computes its coefficient on the host in
   * float32 arithmetic (the very number the device would compute) and, when it is 1, multiplies
   * nothing: the result is the same, with no device work.
   */
  globalNormValue?: number;
}

/**
 * A gradient transformation (Optax style, without explicit state threading): takes gradients by
 * variable name, and the parameters by the same names where it needs them (AGC), and returns
 * new gradient tensors. The caller owns (and disposes) the returned tensors; the inputs are not
 * disposed. `ctx` optionally carries a global norm the caller already measured on `grads`.
 */
export interface GradTransform {
  (grads: NamedTensorMap, params?: NamedTensorMap, ctx?: GradContext): NamedTensorMap;
  /** The plain options it was built from (set by `createClipper` / `chain`), used to save it. */
  readonly config?: ClipperConfig[];
  /** Tensors it keeps between steps (AutoClip's history), saved with the optimizer weights. */
  getWeights?(): NamedTensor[];
  /** Restores what `getWeights` handed out (names as `getWeights` gave them). */
  setWeights?(weights: NamedTensor[]): Promise<void>;
  /** Frees the tensors it keeps between steps. */
  dispose?(): void;
}

/** Options of `createClipper`, one shape per `mode` (plain JSON, as configs and the CLI give them). */
export type ClipperConfig =
  | {mode: 'value'; clipValue: number}
  | {mode: 'value'; min: number; max: number}
  | {mode: 'norm'; maxNorm: number}
  | {mode: 'globalNorm'; maxNorm: number; normType?: PNormType; eps?: number; errorIfNonfinite?: boolean}
  | {mode: 'perParam'; maxNorm: number; normType?: PNormType; eps?: number}
  | {mode: 'blockRms'; threshold: number}
  /** @deprecated spell the mode `'globalNorm'` */
  | {mode: 'global_norm'; maxNorm: number; normType?: PNormType; eps?: number; errorIfNonfinite?: boolean}
  /** @deprecated spell the mode `'perParam'` */
  | {mode: 'per_param'; maxNorm: number; normType?: PNormType; eps?: number}
  /** @deprecated spell the mode `'blockRms'` */
  | {mode: 'block_rms'; threshold: number}
  | {mode: 'agc'; clipFactor?: number; eps?: number; normType?: NormType; exclude?: string[]}
  | {mode: 'auto'; percentile?: number; historySize?: number; eps?: number; normType?: NormType};

/** The `mode`s `createClipper` knows. */
export type ClipMode = ClipperConfig['mode'];
