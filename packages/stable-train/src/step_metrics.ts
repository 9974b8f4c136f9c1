import * as tf from '@tensorflow/tfjs-core';
import {hostSumsOfSquaredDifferences, hostSumsOfSquares, sumOfSquares} from './backends/sum_of_squares';
import {safeGlobalNorm} from './compute_grads';
import type {NamedTensorMap} from './types';

/** Norms of one variable at a logged step. */
export interface LayerMetrics {
  name: string;
  /** ‖g‖ before gradient transforms. */
  gradNorm: number;
  /** ‖w‖ after the update. */
  weightNorm: number;
  /** ‖Δw‖ / ‖w_before‖ for this step's update (0 for a skipped step). */
  updateRatio: number;
}

/** What the Trainer reports every `logEvery` steps (read back asynchronously). */
export interface StepMetrics {
  step: number;
  epoch: number;
  loss: number;
  /** Global L2 gradient norm before clipping. */
  gradNorm: number;
  /** Global L2 gradient norm after the gradient transforms. */
  gradNormClipped: number;
  lr: number;
  /** Global ‖Δw‖ / ‖w‖. */
  updateRatio: number;
  /** Bad steps so far (skipped, rolled back or zeroed). */
  skipped: number;
  /** Per-variable norms (empty when `layerMetrics` is off). */
  layers: LayerMetrics[];
  /** Milliseconds since the Trainer was created. */
  timeMs: number;
}

/**
 * Packs the device-side numbers of a logged step into one 1-D tensor so a single asynchronous
 * read brings them all back: [loss, then per variable ‖g‖, ‖g_clipped‖, Σw², Σ(Δw)², Σw_before²].
 * Only sums are reduced on the device (one square and one sum per tensor); the square roots,
 * ratios and totals are host arithmetic in `unpackMetrics`, so a logged step costs a few passes
 * per variable and no small kernels.
 *
 * ```ts
 * const packed = packMetrics(loss, grads, clipped, before, params, true);
 * ```
 * @param loss the step loss
 * @param grads gradients before transforms
 * @param clipped gradients after transforms
 * @param before copies of the weights taken before the update (null when the step was skipped)
 * @param params the variables after the update
 * @param layers whether to include per-variable norms (kept for the signature: the totals need them all anyway)
 * @param gradSumSquares Σg² of each gradient when the step measured it already (the guard's
 *   measurement): finite ones are used, not measured again; a transform that left a gradient's data
 *   as it was (a clipper with coefficient 1) reuses it for the clipped norm too
 */
export function packMetrics(
  loss: tf.Scalar,
  grads: NamedTensorMap,
  clipped: NamedTensorMap,
  before: NamedTensorMap | null,
  params: {[name: string]: tf.Variable},
  layers: boolean,
  gradSumSquares?: {[name: string]: number},
): tf.Tensor1D {
  void layers;
  return tf.tidy(() => {
    const names = Object.keys(params);
    // on WASM the sums are read from the heap on the host (one read of each buffer, no device passes)
    const sq = (t: tf.Tensor): tf.Scalar => {
      const h = hostSumsOfSquares([t]);
      return h ? tf.scalar(h[0]) : sumOfSquares(t);
    };
    const sqDiff = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      const h = hostSumsOfSquaredDifferences([a], [b]);
      return h ? tf.scalar(h[0]) : sumOfSquares(tf.sub(a, b));
    };
    // Gradient norms: the step's measurement when it is finite, else the scaled norm
    // m·sqrt(Σ(g/m)²), which reads finite gradients of any size as finite (exploding gradients
    // are what these logs are for). Clipped gradients: the same number when the transform kept
    // the data, else the plain sqrt(Σg²) (what a clipper returns is bounded).
    const known = (n: string): number | undefined => {
      const v = gradSumSquares?.[n];
      return v !== undefined && Number.isFinite(v) ? Math.sqrt(v) : undefined;
    };
    const gradNorm = (n: string, t: tf.Tensor | undefined, scaled: boolean): tf.Scalar => {
      if (!t) return tf.scalar(0);
      const k = known(n);
      if (k !== undefined && grads[n] && t.dataId === grads[n].dataId) return tf.scalar(k);
      return scaled ? safeGlobalNorm([t]) : (tf.sqrt(sq(t)) as tf.Scalar);
    };
    const parts: tf.Scalar[] = [tf.cast(loss, 'float32') as tf.Scalar];
    for (const n of names) {
      parts.push(gradNorm(n, grads[n], true), gradNorm(n, clipped[n], false), sq(params[n]));
      parts.push(before ? sqDiff(params[n], before[n]) : tf.scalar(0), before ? sq(before[n]) : tf.scalar(-1));
    }
    return tf.stack(parts) as tf.Tensor1D;
  });
}

/**
 * Decodes what `packMetrics` packed: ‖w‖ = sqrt(Σw²), ‖Δw‖ relative to the larger of ‖w‖ before
 * and after (zero-initialised biases stay finite), totals as the L2 norm of the per-variable ones.
 * @param data the packed numbers
 * @param names the variable names, in the order they were packed
 * @param base the fields known on the host
 * @param layers whether to list per-variable norms (default true)
 */
export function unpackMetrics(
  data: ArrayLike<number>,
  names: string[],
  base: Pick<StepMetrics, 'step' | 'epoch' | 'lr' | 'skipped' | 'timeMs'>,
  layers = true,
): StepMetrics {
  const list: LayerMetrics[] = [];
  const tot = {g: [] as number[], c: [] as number[], d: [] as number[], b: [] as number[]};
  names.forEach((name, i) => {
    const [gradNorm, clippedNorm, w2, d2, b2] = Array.from({length: 5}, (_, k) => data[1 + 5 * i + k]);
    const weightNorm = Math.sqrt(w2);
    const deltaNorm = Math.sqrt(d2);
    const baseNorm = b2 < 0 ? weightNorm : Math.max(Math.sqrt(b2), weightNorm);
    tot.g.push(gradNorm);
    tot.c.push(clippedNorm);
    tot.d.push(deltaNorm);
    tot.b.push(baseNorm);
    if (layers) list.push({name, gradNorm, weightNorm, updateRatio: deltaNorm / Math.max(baseNorm, 1e-30)});
  });
  const l2 = (xs: number[]): number => Math.hypot(...xs);
  return {
    ...base, loss: data[0], gradNorm: l2(tot.g), gradNormClipped: l2(tot.c),
    updateRatio: l2(tot.d) / Math.max(l2(tot.b), 1e-30), layers: list,
  };
}
