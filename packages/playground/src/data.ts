// The synthetic task: two interleaved spirals in the plane (Lang & Witbrock 1988), seeded.
import * as tf from '@tensorflow/tfjs-core';

/** A small seeded PRNG (mulberry32): the same seed gives the same data on every backend. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Points and labels on the host. */
export interface Points {
  x: Float32Array; // [n, 2]
  y: Int32Array; // [n]
  n: number;
}

/**
 * Two spirals of `turns` turns each, `n` points in all, Gaussian noise of std `noise`,
 * coordinates in about [-1, 1].
 * @param n number of points (half per class)
 * @param seed data seed
 */
export function twoSpirals(n: number, seed: number, turns = 1.5, noise = 0.03): Points {
  const r = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const t = Math.sqrt(r()) * turns * 2 * Math.PI; // sqrt: even density along the arc
    const rad = t / (turns * 2 * Math.PI);
    const s = cls === 0 ? 1 : -1;
    x[2 * i] = s * rad * Math.cos(t) + noise * gauss();
    x[2 * i + 1] = s * rad * Math.sin(t) + noise * gauss();
    y[i] = cls;
  }
  return {x, y, n};
}

/** Draws random batches (with replacement) of `size` points; the caller disposes them. */
export function batcher(data: Points, size: number, seed: number): () => {x: tf.Tensor2D; y: tf.Tensor1D} {
  const r = rng(seed);
  return () => {
    const bx = new Float32Array(2 * size);
    const by = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const j = Math.floor(r() * data.n);
      bx[2 * i] = data.x[2 * j];
      bx[2 * i + 1] = data.x[2 * j + 1];
      by[i] = data.y[j];
    }
    return {x: tf.tensor2d(bx, [size, 2]), y: tf.tensor1d(by, 'int32')};
  };
}
