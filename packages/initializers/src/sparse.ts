import * as tf from '@tensorflow/tfjs-core';
import {Initializer, makeInitializer} from './initializer';
import {randomNormal} from './random_normal';
import {checkNumber, checkOptions, show} from './validate';

/** Options of {@link sparse}. */
export interface SparseOptions {
  /** fraction of the entries of each column set to zero, in [0, 1] (required, as PyTorch) */
  sparsity: number;
  /** standard deviation of the non-zero entries, finite and > 0 (default 0.01, as PyTorch) */
  std?: number;
}

/**
 * Sparse initialisation of a 2-D weight `[rows, cols]`: every entry ~ N(0, std²), then in every
 * column exactly k = ceil(sparsity · rows) entries, at random rows, are set to 0.
 *
 * The algorithm of PyTorch `torch.nn.init.sparse_(tensor, sparsity, std=0.01)` applied to the
 * tensor as given (2-D only, as there). On a TF.js dense kernel `[in, out]` a column is an output
 * unit, so every unit gets k zero incoming weights: the setting of Martens 2010 (a fixed number of
 * non-zero incoming connections per unit). PyTorch's `[out, in]` weight gets its zeros per input
 * column instead; to reproduce that pattern draw `[out, in]` and transpose. The zero positions
 * come from a seeded uniform draw (the k smallest per column, via `tf.topk`), so the same seed
 * gives the same tensor. Realised std of an entry: std · sqrt((rows − k) / rows).
 * Reference: Martens 2010, "Deep learning via Hessian-free optimization", ICML,
 * https://www.cs.toronto.edu/~jmartens/docs/Deep_HessianFree.pdf;
 * PyTorch: https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.sparse_
 *
 * ```ts
 * const w = sparse({sparsity: 0.9, std: 0.01})([784, 256], {seed: 1}); // 706 zeros per column
 * ```
 * @param opts `sparsity` in [0, 1], `std` (default 0.01)
 */
export function sparse(opts: SparseOptions): Initializer {
  const fn = 'sparse';
  if (opts === undefined) throw new Error(`${fn}: options must be {sparsity, std?}, got undefined`);
  const o = checkOptions<SparseOptions>(fn, opts);
  const sparsity = checkNumber(fn, 'sparsity', o.sparsity, '>= 0');
  if (sparsity > 1) throw new Error(`${fn}: sparsity must be a number in [0, 1], got ${show(sparsity)}`);
  const std = checkNumber(fn, 'std', o.std ?? 0.01, '> 0');
  const zerosPerColumn = (rows: number) => Math.ceil(sparsity * rows);
  return makeInitializer(
    fn,
    'sparse',
    ([rows, cols], c) => {
      const values = randomNormal([rows, cols], 0, std, c.seed);
      const k = zerosPerColumn(rows);
      if (k === 0) return values;
      if (k === rows) return tf.zerosLike(values);
      // per column (a row of the transpose), the k rows with the smallest uniform draws become 0
      const u = tf.randomUniform([cols, rows], 0, 1, 'float32', c.seed === undefined ? undefined : c.seed + 7919);
      const {indices} = tf.topk(tf.neg(u), k); // [cols, k], distinct per column
      // oneHot in int32, then cast (the wasm OneHot kernel ignores a float32 dtype)
      const zeroMask = tf.cast(tf.sum(tf.oneHot(indices, rows), 1), 'float32'); // [cols, rows], 1 = zero it
      return tf.mul(values, tf.transpose(tf.sub(1, zeroMask)));
    },
    ([rows]) => ({distribution: 'sparse_normal', mean: 0, std: std * Math.sqrt((rows - zerosPerColumn(rows)) / rows)}),
    {minRank: 2, maxRank: 2},
  );
}
