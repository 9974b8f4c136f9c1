import * as tf from '@tensorflow/tfjs-core';
import {parseGain} from './glorot_uniform';
import {Initializer, makeInitializer} from './initializer';
import {orthogonalMatrix} from './orthonormal_matrix';
import {randomNormal} from './random_normal';

/**
 * (Semi-)orthogonal initializer for any rank >= 2: the kernel, flattened to
 * W = [∏shape[:-1], shape[-1]] (rows = fan-in positions, columns = output units), is gain·Q from
 * the QR of a Gaussian matrix with Q's columns multiplied by sign(diag R), so that
 * WᵀW = gain²·I when rows >= cols ("tall") and WWᵀ = gain²·I otherwise ("wide"); each element has
 * rms gain/√max(rows, cols). The QR runs on the host in float64 (one synchronous read of the draw).
 *
 * Same as PyTorch `torch.nn.init.orthogonal_(w, gain)` (which flattens its own layout
 * `[out, in·h·w]`, i.e. the transpose) and Keras / TF.js `Orthogonal`.
 * Reference: Saxe, McClelland & Ganguli 2014, https://arxiv.org/abs/1312.6120
 *
 * ```ts
 * const w = orthogonal({gain: Math.sqrt(2)})([3, 3, 16, 32], {seed: 0}); // flattened 144x32
 * ```
 * @param opts.gain multiplier, finite and > 0, default 1
 */
export function orthogonal(opts?: {gain?: number}): Initializer {
  const gain = parseGain('orthogonal', opts);
  return makeInitializer(
    'orthogonal',
    'orthogonal',
    (shape, c) => {
      const cols = shape[shape.length - 1];
      const rows = shape.reduce((a, b) => a * b, 1) / cols;
      return tf.tensor(scaled(gaussianOrthogonal(rows, cols, c.seed), gain), shape, 'float32');
    },
    (shape) => {
      const cols = shape[shape.length - 1];
      const rows = shape.reduce((a, b) => a * b, 1) / cols;
      return {distribution: 'orthogonal', mean: 0, std: gain / Math.sqrt(Math.max(rows, cols))};
    },
    {minRank: 2},
  );
}

/** An orthogonal rows×cols matrix (row-major, float64) from a seeded Gaussian draw. @internal */
export function gaussianOrthogonal(rows: number, cols: number, seed: number | undefined): Float64Array {
  const g = tf.tidy(() => randomNormal([rows, cols], 0, 1, seed).dataSync());
  return orthogonalMatrix(g, rows, cols);
}

function scaled(q: Float64Array, gain: number): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * gain;
  return out;
}
