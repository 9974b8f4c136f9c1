import * as tf from '@tensorflow/tfjs-core';
import {createRng} from '../rng';
import type {Batch} from '../types';

/** What `Trainer.fit` and `evaluate` read: a size and a way to gather samples into a batch. */
export interface Dataset {
  /** Number of samples. */
  readonly size: number;
  /** Shape of one input sample (for example `[784]`, `[28, 28, 1]`, `[T, 2]`). */
  readonly inputShape: number[];
  /** Number of classes for classification data, undefined for regression. */
  readonly numClasses?: number;
  /** Builds a batch (tensors owned by the caller) from sample indices. */
  batch(indices: ArrayLike<number>): Batch;
}

/** Options of `ArrayDataset`. */
export interface ArrayDatasetOptions {
  /** Inputs, sample-major, `size × prod(inputShape)` values. */
  x: Float32Array | number[];
  inputShape: number[];
  /** Class ids (with `numClasses`) or regression targets, `size × prod(targetShape)` values. */
  y: Float32Array | Int32Array | number[];
  /** Shape of one target; `[]` for a class id or a scalar. Default `[]`. */
  targetShape?: number[];
  /** Number of classes: labels must be integers in `[0, numClasses)`. */
  numClasses?: number;
  /** A name used in error messages. */
  name?: string;
}

/**
 * An in-memory dataset held in typed arrays. Validates once, on the host, at construction:
 * empty data, mismatched lengths and labels out of range are clear errors. Non-finite inputs
 * are allowed here: the Trainer's guard reports such a batch as an event and does not train on it.
 *
 * ```ts
 * const ds = new ArrayDataset({x, inputShape: [2], y: labels, numClasses: 2});
 * ```
 * @param opts see `ArrayDatasetOptions`
 */
export class ArrayDataset implements Dataset {
  readonly size: number;
  readonly inputShape: number[];
  readonly targetShape: number[];
  readonly numClasses?: number;
  private readonly x: Float32Array;
  private readonly y: Float32Array | Int32Array;

  constructor(opts: ArrayDatasetOptions) {
    const name = opts.name ?? 'ArrayDataset';
    const inputShape = opts.inputShape;
    if (!Array.isArray(inputShape) || inputShape.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`${name}: inputShape must be positive integers, got ${JSON.stringify(inputShape)}`);
    }
    const targetShape = opts.targetShape ?? [];
    const xPer = inputShape.reduce((a, b) => a * b, 1);
    const yPer = targetShape.reduce((a, b) => a * b, 1);
    const x = opts.x instanceof Float32Array ? opts.x : Float32Array.from(opts.x ?? []);
    const size = x.length / xPer;
    if (x.length === 0) throw new Error(`${name}: the dataset is empty (no samples)`);
    if (!Number.isInteger(size)) {
      throw new Error(`${name}: x has ${x.length} values, not a multiple of the sample size ${xPer} (inputShape [${inputShape}])`);
    }
    if (!opts.y || opts.y.length !== size * yPer) {
      throw new Error(`${name}: y has ${opts.y?.length ?? 0} values but x has ${size} samples of target size ${yPer}`);
    }
    if (opts.numClasses !== undefined) {
      const c = opts.numClasses;
      if (!(Number.isInteger(c) && c >= 2)) throw new Error(`${name}: numClasses must be an integer >= 2, got ${c}`);
      for (let i = 0; i < opts.y.length; i++) {
        const v = opts.y[i];
        if (!(Number.isInteger(v) && v >= 0 && v < c)) {
          throw new Error(`${name}: label ${i} is ${v}, outside the class range [0, ${c - 1}]`);
        }
      }
      this.y = Int32Array.from(opts.y);
    } else {
      this.y = opts.y instanceof Float32Array ? opts.y : Float32Array.from(opts.y);
    }
    this.size = size;
    this.inputShape = [...inputShape];
    this.targetShape = [...targetShape];
    this.numClasses = opts.numClasses;
    this.x = x;
  }

  batch(indices: ArrayLike<number>): Batch {
    const n = indices.length;
    const xPer = this.x.length / this.size;
    const yPer = this.y.length / this.size;
    const xb = new Float32Array(n * xPer);
    const yb = this.numClasses !== undefined ? new Int32Array(n * yPer) : new Float32Array(n * yPer);
    for (let i = 0; i < n; i++) {
      const j = indices[i];
      if (!(j >= 0 && j < this.size)) throw new Error(`ArrayDataset.batch: index ${j} out of range [0, ${this.size})`);
      xb.set(this.x.subarray(j * xPer, (j + 1) * xPer), i * xPer);
      yb.set(this.y.subarray(j * yPer, (j + 1) * yPer), i * yPer);
    }
    return {
      x: tf.tensor(xb, [n, ...this.inputShape], 'float32'),
      y: tf.tensor(yb, [n, ...this.targetShape], this.numClasses !== undefined ? 'int32' : 'float32'),
    };
  }

  /** Splits off the last `fraction` of samples as a second dataset (train/test). */
  split(fraction: number): [ArrayDataset, ArrayDataset] {
    if (!(fraction > 0 && fraction < 1)) throw new Error(`ArrayDataset.split: fraction must be in (0, 1), got ${fraction}`);
    const nTest = Math.max(1, Math.round(this.size * fraction));
    const nTrain = this.size - nTest;
    const xPer = this.x.length / this.size;
    const yPer = this.y.length / this.size;
    const part = (a: number, b: number): ArrayDataset =>
      new ArrayDataset({
        x: this.x.slice(a * xPer, b * xPer),
        y: this.y.slice(a * yPer, b * yPer),
        inputShape: this.inputShape,
        targetShape: this.targetShape,
        numClasses: this.numClasses,
      });
    return [part(0, nTrain), part(nTrain, this.size)];
  }
}

/**
 * The sample indices of batch `index` of epoch `epoch`: a permutation seeded by
 * `(seed, epoch)`, so a resumed run sees exactly the batches an uninterrupted one would.
 * The last partial batch of an epoch is dropped.
 * @param size dataset size
 * @param batchSize samples per batch
 * @param seed run seed
 * @param epoch epoch number (0-based)
 * @param index batch number within the epoch
 */
export function batchIndices(size: number, batchSize: number, seed: number, epoch: number, index: number): Int32Array {
  const perm = createRng((seed * 1000003 + epoch * 7919) | 0).permutation(size);
  return perm.slice(index * batchSize, (index + 1) * batchSize);
}
