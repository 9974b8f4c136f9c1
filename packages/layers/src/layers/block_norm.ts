// Internal: the norms inside the residual block layers (norm1, norm2, ...): which weights each
// kind has (named as @stable-train/batchnorm's modules name their variables) and the call, with
// @stable-train/batchnorm's ops on those weights.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {groupNorm, layerNorm, rmsNorm} from '@stable-train/batchnorm';
import {batchNormCall} from './norm_call';

/** The normalisation inside a residual block's branch (before each weight layer). */
export type BlockNorm = 'none' | 'batchNormalization' | 'layerNormalization' | 'groupNormalization' | 'rmsNormalization';
export const BLOCK_NORMS: readonly BlockNorm[] = ['none', 'batchNormalization', 'layerNormalization', 'groupNormalization', 'rmsNormalization'];

/** One norm's weights (null where the kind has none). */
export interface NormVars {
  gamma: tfl.LayerVariable | null;
  beta: tfl.LayerVariable | null;
  movingMean: tfl.LayerVariable | null;
  movingVariance: tfl.LayerVariable | null;
}

/** One weight a norm needs: `${prefix}/gamma` etc., its start value and whether it trains. */
export interface NormWeightSpec {
  key: keyof NormVars;
  name: string;
  init: 'ones' | 'zeros';
  trainable: boolean;
}

/** The weights a norm of `kind` has, in the technique modules' variable order. */
export function normWeightSpecs(kind: BlockNorm, prefix: string): NormWeightSpec[] {
  if (kind === 'none') return [];
  const out: NormWeightSpec[] = [{key: 'gamma', name: `${prefix}/gamma`, init: 'ones', trainable: true}];
  if (kind !== 'rmsNormalization') out.push({key: 'beta', name: `${prefix}/beta`, init: 'zeros', trainable: true});
  if (kind === 'batchNormalization') {
    out.push({key: 'movingMean', name: `${prefix}/moving_mean`, init: 'zeros', trainable: false});
    out.push({key: 'movingVariance', name: `${prefix}/moving_variance`, init: 'ones', trainable: false});
  }
  return out;
}

/** The settings of a block's norms. */
export interface BlockNormSettings {
  kind: BlockNorm;
  epsilon: number;
  groups: number;
  momentum: number;
  unbiased: boolean;
}

/** Applies one norm of the block to h (training: batch statistics and a moving-stat update). */
export function blockNormCall(h: tf.Tensor, v: NormVars, training: boolean, s: BlockNormSettings): tf.Tensor {
  const g = v.gamma?.read() ?? null;
  const b = v.beta?.read() ?? null;
  switch (s.kind) {
    case 'batchNormalization':
      return batchNormCall(h, {gamma: v.gamma, beta: v.beta, movingMean: v.movingMean!, movingVariance: v.movingVariance!}, training, {
        epsilon: s.epsilon, momentum: s.momentum, unbiased: s.unbiased, renorm: null,
      });
    case 'layerNormalization':
      return layerNorm(h, g, b, s.epsilon);
    case 'groupNormalization':
      return groupNorm(h, g, b, s.groups, s.epsilon);
    case 'rmsNormalization':
      return rmsNorm(h, g, s.epsilon);
    default:
      return h;
  }
}
