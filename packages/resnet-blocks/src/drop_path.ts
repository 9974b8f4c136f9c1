import * as tf from '@tensorflow/tfjs-core';
import {show} from './validate';

/** Options of {@link dropPath}. */
export interface DropPathOptions {
  /** probability of dropping a sample's branch, in [0, 1] */
  rate: number;
  /** true: drop and rescale; false (inference): identity */
  training: boolean;
  /** seed of the per-sample draw (`tf.randomUniform`); default unseeded */
  seed?: number;
}

/** Checks a drop rate in [0, 1] (internal); returns it. */
export function checkRate(where: string, arg: string, rate: unknown): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new Error(`${where}: ${arg} must be a number in [0, 1], got ${show(rate)}`);
  }
  return rate;
}

/**
 * Stochastic depth / DropPath on a residual branch: in training, each sample's whole branch output
 * is kept with probability keep = 1 − rate and then divided by keep, else zeroed:
 * y = x · m / keep, m ~ Bernoulli(keep) per sample (one draw broadcast over all other axes), so
 * E[y] = x. In inference (or with rate 0) y = x. With rate 1 every sample is zeroed (no rescale).
 * Apply it to the branch F(x) before the residual add: out = shortcut + dropPath(F(x)).
 *
 * Same as timm `drop_path(x, drop_prob, training, scale_by_keep=True)` (`timm/layers/drop.py`) and
 * torchvision `stochastic_depth(mode='row')`.
 * Reference: Huang et al. 2016, "Deep Networks with Stochastic Depth", https://arxiv.org/abs/1603.09382
 *
 * ```ts
 * const out = tf.add(x, dropPath(branch, {rate: 0.1, training: true}));
 * ```
 * @param x the branch output, batch first (`[N, ...]`)
 * @param opts `rate` in [0, 1], `training`, `seed`
 * @returns a new tensor of x's shape (the caller disposes it)
 */
export function dropPath(x: tf.Tensor, opts: DropPathOptions): tf.Tensor {
  const fn = 'dropPath';
  if (!(x instanceof tf.Tensor) || x.isDisposed) throw new Error(`${fn}: x must be a live tf.Tensor, got ${show(x)}`);
  if (x.rank < 1) throw new Error(`${fn}: x must have a batch axis (rank >= 1), got a scalar`);
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: opts must be {rate, training, seed?}, got ${show(opts)}`);
  const rate = checkRate(fn, 'rate', opts.rate);
  if (typeof opts.training !== 'boolean') throw new Error(`${fn}: training must be true or false, got ${show(opts.training)}`);
  if (opts.seed !== undefined && (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed))) {
    throw new Error(`${fn}: seed must be a finite number, got ${show(opts.seed)}`);
  }
  if (!opts.training || rate === 0) return tf.clone(x);
  const keep = 1 - rate;
  if (keep === 0) return tf.zerosLike(x);
  return tf.tidy(() => {
    const shape = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
    // floor(keep + U[0, 1)) is 1 with probability keep, else 0 (as timm's bernoulli_(keep))
    const mask = tf.floor(tf.add(tf.randomUniform(shape, 0, 1, 'float32', opts.seed), keep));
    return tf.mul(x, tf.div(mask, keep));
  });
}

/**
 * Stochastic depth rate of block `i` (0-based) of `total`: rate · i / (total − 1), rising linearly
 * from 0 at the first block to `rate` at the last (timm's `drop_path_rate` rule,
 * `torch.linspace(0, rate, total)`); 0 when there is one block.
 * Reference: Huang et al. 2016, https://arxiv.org/abs/1603.09382 (linear decay of survival)
 *
 * ```ts
 * linearDropRate(0.2, 3, 4); // 0.2
 * ```
 * @param rate the last block's rate, in [0, 1]
 * @param i block index, 0-based
 * @param total number of blocks
 */
export function linearDropRate(rate: number, i: number, total: number): number {
  const fn = 'linearDropRate';
  checkRate(fn, 'rate', rate);
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 1) throw new Error(`${fn}: total must be an integer >= 1, got ${show(total)}`);
  if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= total) throw new Error(`${fn}: i must be an integer in [0, ${total - 1}], got ${show(i)}`);
  return total > 1 ? (rate * i) / (total - 1) : 0;
}
