import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** Folder holding the PyTorch reference vectors (PyTorch 1.13 / Optax; see README.md and README-v2.md there). */
export const GOLDENS_DIR = path.resolve(__dirname, '../../goldens');

/** The reference files, by area. */
export type GoldenName =
  | 'grad_clip'
  | 'initializers'
  | 'lr_schedule'
  | 'normalization'
  | 'optimizers'
  | 'residual'
  | 'training_reference'
  // v2 (see tools/goldens/README-v2.md)
  | 'averaging'
  | 'blocks_v2'
  | 'clip_v2'
  | 'losses_v2'
  | 'norms_v2'
  | 'optimizers_v2'
  | 'schedules_v2';

/** A tensor as the goldens encode it: row-major data and a TF.js-layout shape. */
export interface GoldenTensor {
  shape: number[];
  data: (number | string)[];
}

const cache = new Map<string, unknown>();

/** Loads (and caches) one reference file; `any` because each file has its own layout. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadGolden(name: GoldenName): any {
  if (!cache.has(name)) {
    const file = path.join(GOLDENS_DIR, `${name}.json`);
    if (!fs.existsSync(file)) throw new Error(`loadGolden: no golden file ${file}`);
    cache.set(name, JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  return cache.get(name);
}

/** Decodes a golden number (JSON number, or "NaN" / "Infinity" / "-Infinity" strings). */
export function goldenNumber(v: number | string): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Builds a float32 tensor from a golden `{shape, data}` (the inputs are float32-exact). */
export function goldenTensor(g: GoldenTensor): tf.Tensor {
  if (!g || !Array.isArray(g.shape) || !Array.isArray(g.data)) {
    throw new Error(`goldenTensor: expected {shape, data}, got ${JSON.stringify(g)?.slice(0, 80)}`);
  }
  return tf.tensor(g.data.map(goldenNumber), g.shape, 'float32');
}

/** The golden's data as plain numbers (float64), for comparisons. */
export function goldenData(g: GoldenTensor): number[] {
  return g.data.map(goldenNumber);
}
