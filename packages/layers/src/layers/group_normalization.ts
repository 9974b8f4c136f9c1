import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {groupNorm} from '@stable-train/batchnorm';
import {AffineNormArgs, AffineNormLayer, channelsOf} from './affine_norm_layer';
import {integer, lastAxis} from './checks';

/** Options of {@link groupNormalization} (Keras `GroupNormalization`). */
export interface GroupNormalizationArgs extends AffineNormArgs {
  /** contiguous channel groups; must divide the channel count (default 32, Keras's and Wu & He's) */
  groups?: number;
  /** the channel axis; only the last (-1) is supported */
  axis?: number;
}

/**
 * Group normalisation layer (channels last) computed by `@stable-train/batchnorm`'s `groupNorm`:
 * y = (x - mean_{n,g}) / sqrt(var_{n,g} + epsilon) * gamma + beta, statistics per sample and per
 * group of C / groups contiguous channels. The same in training and inference (works with batch 1).
 * Defaults: groups 32, epsilon 1e-3 (Keras; PyTorch `nn.GroupNorm` uses 1e-5).
 * Weights: `gamma`, `beta` of shape [C].
 * Reference: Wu & He 2018, https://arxiv.org/abs/1803.08494
 */
export class StableTrainGroupNormalization extends AffineNormLayer {
  /** @nocollapse */
  static className = 'StableTrainGroupNormalization';
  readonly groups: number;
  readonly axis: number;

  constructor(args: GroupNormalizationArgs = {}) {
    const where = 'groupNormalization';
    const groups = integer(where, 'groups', args?.groups, 32);
    const axis = lastAxis(where, args?.axis);
    super(where, args, 1e-3, true);
    this.groups = groups;
    this.axis = axis;
  }

  protected paramShape(shape: tfl.Shape): number[] {
    const c = channelsOf(this.name, shape, 2);
    if (this.axis !== -1 && this.axis !== shape.length - 1) {
      throw new Error(`${this.name}: axis must be the last axis (-1), got ${this.axis} for input shape [${shape}]`);
    }
    if (c % this.groups !== 0) {
      throw new Error(`${this.name}: groups (${this.groups}) must divide the number of channels, got input shape [${shape}]`);
    }
    return [c];
  }

  protected normalize(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null): tf.Tensor {
    return groupNorm(x, gamma, beta, this.groups, this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {groups: this.groups, axis: this.axis, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainGroupNormalization);

/**
 * Group normalisation for tf.layers models (see {@link StableTrainGroupNormalization}).
 *
 * ```ts
 * const gn = layers.groupNormalization({groups: 4, epsilon: 1e-5}); // PyTorch nn.GroupNorm(4, C)
 * ```
 * @param args see {@link GroupNormalizationArgs}
 */
export function groupNormalization(args?: GroupNormalizationArgs): StableTrainGroupNormalization {
  return new StableTrainGroupNormalization(args);
}
