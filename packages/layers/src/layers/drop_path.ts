import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {dropPath as dropPathOp} from '@stable-train/resnet-blocks';
import type {LayerArgs} from './batch_normalization';
import {checkArgs, inRange, show} from './checks';
import {isTraining} from './norm_call';

/** Options of {@link dropPath}. */
export interface DropPathArgs extends LayerArgs {
  /** probability of dropping a sample's branch, in [0, 1] (default 0: identity) */
  rate?: number;
  /**
   * seed of the per-sample draw: call k of the layer in training draws with seed `seed + k`, so a
   * run is reproducible and every step draws a new mask; default unseeded
   */
  seed?: number;
}

/**
 * Stochastic depth / DropPath on a residual branch, as a tf.layers layer: in training (`fit`),
 * each sample's whole input is kept with probability keep = 1 − rate and divided by keep, else
 * zeroed: y = x · m / keep, m ~ Bernoulli(keep) per sample (one draw broadcast over the other
 * axes), so E[y] = x; in inference (`predict`, `evaluate`) y = x. Put it on the branch before the
 * residual add: `tf.layers.add().apply([x, layers.dropPath({rate}).apply(branch)])`.
 * Numbers from `@stable-train/resnet-blocks` `dropPath`.
 *
 * Same as timm `DropPath(drop_prob)` / `drop_path(x, drop_prob, training, scale_by_keep=True)`
 * and torchvision `StochasticDepth(p, mode='row')`.
 * Reference: Huang et al. 2016, "Deep Networks with Stochastic Depth", https://arxiv.org/abs/1603.09382
 */
export class StableTrainDropPath extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainDropPath';
  readonly rate: number;
  readonly seed: number | undefined;
  private calls = 0;

  constructor(args: DropPathArgs = {}) {
    const where = 'dropPath';
    checkArgs(where, args);
    const {rate: r, seed, ...rest} = args ?? {};
    const rate = inRange(where, 'rate', r, 0, 0, 1);
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
      throw new Error(`${where}: seed must be a finite number, got ${show(seed)}`);
    }
    super(rest);
    this.rate = rate;
    this.seed = seed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs?: {[key: string]: unknown}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = isTraining(kwargs);
    const seed = this.seed === undefined || !training ? undefined : this.seed + this.calls++;
    return dropPathOp(x, {rate: this.rate, training, ...(seed === undefined ? {} : {seed})});
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg: tf.serialization.ConfigDict = {rate: this.rate};
    if (this.seed !== undefined) cfg.seed = this.seed;
    return {...cfg, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainDropPath);

/**
 * Stochastic depth for tf.layers residual branches (see {@link StableTrainDropPath}).
 *
 * ```ts
 * const x = tf.input({shape: [16]});
 * const branch = tf.layers.dense({units: 16, activation: 'relu'}).apply(x) as tf.SymbolicTensor;
 * const y = tf.layers.add().apply([x, layers.dropPath({rate: 0.1}).apply(branch) as tf.SymbolicTensor]);
 * ```
 * @param args `rate` in [0, 1] (default 0), `seed`
 */
export function dropPath(args?: DropPathArgs): StableTrainDropPath {
  return new StableTrainDropPath(args);
}
