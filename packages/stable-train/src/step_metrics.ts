import * as tf from '@tensorflow/tfjs-core';
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
 * read brings them all back: [loss, ‖g‖, ‖g_clipped‖, ‖Δw‖/‖w‖, then per variable ‖g‖, ‖w‖, ‖Δw‖/‖w‖].
 *
 * ```ts
 * const packed = packMetrics(loss, grads, clipped, before, params, true);
 * ```
 * @param loss the step loss
 * @param grads gradients before transforms
 * @param clipped gradients after transforms
 * @param before copies of the weights taken before the update (null when the step was skipped)
 * @param params the variables after the update
 * @param layers whether to include per-variable norms
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
  return tf.tidy(() => {
    const names = Object.keys(params);
    // Gradient norms are scaled (m·sqrt(Σ(g/m)²), 5 passes): finite gradients of any size never
    // read back as Infinity, and exploding gradients are what these logs are for. Weight norms
    // take the plain sqrt(Σw²) (2 passes): it overflows only past ‖w‖ ≈ 1.8e19.
    const norm = (t: tf.Tensor): tf.Scalar => safeGlobalNorm([t]);
    const plain = (t: tf.Tensor): tf.Scalar => tf.sqrt(tf.sum(tf.square(t))) as tf.Scalar;
    const known = (n: string): number | undefined => {
      const v = gradSumSquares?.[n];
      return v !== undefined && Number.isFinite(v) ? Math.sqrt(v) : undefined;
    };
    const gradNorm = (n: string, t: tf.Tensor | undefined): tf.Scalar => {
      if (!t) return tf.scalar(0);
      const k = known(n);
      return k !== undefined && grads[n] && t.dataId === grads[n].dataId ? tf.scalar(k) : norm(t);
    };
    const gn = names.map((n) => gradNorm(n, grads[n]));
    const gc = names.map((n) => gradNorm(n, clipped[n]));
    const wn = names.map((n) => plain(params[n]));
    const dn = names.map((n) => (before ? plain(tf.sub(params[n], before[n])) : tf.scalar(0)));
    // ‖Δw‖ relative to the larger of ‖w‖ before and after (zero-initialised biases stay finite).
    const bn = names.map((n, i) => (before ? tf.maximum(plain(before[n]), wn[i]) as tf.Scalar : wn[i]));
    const tot = (xs: tf.Scalar[]): tf.Scalar => safeGlobalNorm(xs);
    const safeDiv = (a: tf.Scalar, b: tf.Scalar): tf.Scalar => tf.div(a, tf.maximum(b, 1e-30)) as tf.Scalar;
    const head = [tf.cast(loss, 'float32'), tot(gn), tot(gc), safeDiv(tot(dn), tot(bn))];
    const rest = layers ? names.flatMap((_, i) => [gn[i], wn[i], safeDiv(dn[i], bn[i])]) : [];
    return tf.stack([...head, ...rest]) as tf.Tensor1D;
  });
}

/** Decodes what `packMetrics` packed. */
export function unpackMetrics(
  data: ArrayLike<number>,
  names: string[],
  base: Pick<StepMetrics, 'step' | 'epoch' | 'lr' | 'skipped' | 'timeMs'>,
): StepMetrics {
  const layers: LayerMetrics[] = [];
  if (data.length > 4) {
    names.forEach((name, i) => {
      layers.push({name, gradNorm: data[4 + 3 * i], weightNorm: data[5 + 3 * i], updateRatio: data[6 + 3 * i]});
    });
  }
  return {...base, loss: data[0], gradNorm: data[1], gradNormClipped: data[2], updateRatio: data[3], layers};
}
