import * as tf from '@tensorflow/tfjs-core';
import {checkNumber, checkOneOf, checkOptions, checkShape, F32_MAX, show} from './validate';

/** Options every initializer accepts at call time. */
export interface InitOptions {
  /** Seed for the random draw; the same seed gives the same tensor (on every backend). */
  seed?: number;
  /** Element type of the result; random initializers support only `'float32'` (the default). */
  dtype?: 'float32' | 'int32';
}

/** What an initializer draws from, for a given shape: computed in float64 on the host. */
export interface InitializerStats {
  distribution: 'constant' | 'uniform' | 'normal' | 'truncated_normal' | 'orthogonal' | 'identity' | 'sparse_normal';
  /** mean of the distribution (0 for every variance-scaling initializer) */
  mean: number;
  /** realised standard deviation of one element (after truncation, if any; the rms for orthogonal ones) */
  std: number;
  /** smallest value that can be drawn (uniform: `-bound`; truncated normal: `a`) */
  low?: number;
  /** largest value that can be drawn (uniform: `bound`, exclusive; truncated normal: `b`) */
  high?: number;
}

/**
 * An initializer: `(shape, {seed, dtype}) => tf.Tensor`, shape in TF.js layout (dense `[in, out]`,
 * conv `[h, w, in, out]`). `name` is its snake_case name (as `resolveInitializer` takes it) and
 * `stats(shape)` states the distribution it draws from, so callers (and tests) can check it.
 */
export interface Initializer {
  (shape: number[], opts?: InitOptions): tf.Tensor;
  readonly initializerName: string;
  stats(shape: number[]): InitializerStats;
}

/** Validated call-time options. */
export interface CallOptions {
  seed: number | undefined;
  dtype: 'float32' | 'int32';
}

/**
 * Builds an `Initializer` from a draw function. Validates the shape (positive integers, rank >=
 * `minRank`) and the call options first, then runs `draw` inside `tf.tidy`.
 * @internal
 */
export function makeInitializer(
  fnName: string,
  initializerName: string,
  draw: (shape: number[], o: CallOptions) => tf.Tensor,
  stats: (shape: number[]) => InitializerStats,
  cfg: {minRank?: number; maxRank?: number; floatOnly?: boolean} = {},
): Initializer {
  const shapeOk = (shape: number[]): number[] => {
    const s = checkShape(fnName, shape, cfg.minRank ?? 0);
    if (cfg.maxRank !== undefined && s.length > cfg.maxRank) {
      throw new Error(`${fnName}: shape must have rank <= ${cfg.maxRank}, got ${show(shape)} (rank ${s.length})`);
    }
    return s;
  };
  const init = (shape: number[], opts?: InitOptions): tf.Tensor => {
    const s = shapeOk(shape);
    const o = checkOptions<InitOptions>(fnName, opts);
    const seed = o.seed === undefined ? undefined : checkNumber(fnName, 'seed', o.seed);
    const dtype = o.dtype === undefined ? 'float32' : checkOneOf(fnName, 'dtype', o.dtype, cfg.floatOnly === false ? ['float32', 'int32'] as const : ['float32'] as const);
    checkFloat32Range(fnName, stats(s));
    return tf.tidy(() => draw(s.slice(), {seed, dtype}));
  };
  const statsChecked = (shape: number[]): InitializerStats => stats(shapeOk(shape));
  return Object.assign(init, {initializerName, stats: statsChecked});
}

/**
 * Values drawn in float32 beyond ±3.4e38 become ±Infinity without a word: refuse options whose
 * distribution reaches there (mean ± 8 std, or the bounds), before any tensor is made.
 */
function checkFloat32Range(fn: string, st: InitializerStats): void {
  const reach = Math.max(Math.abs(st.mean) + 8 * st.std, Math.abs(st.low ?? 0), Math.abs(st.high ?? 0));
  if (!(reach <= F32_MAX)) {
    throw new Error(
      `${fn}: options must keep the values within float32 range (|value| <= ${F32_MAX}), got a distribution with ` +
        `mean ${show(st.mean)} and std ${show(st.std)}${st.low !== undefined ? ` on [${show(st.low)}, ${show(st.high)}]` : ''}`,
    );
  }
}
