import * as tf from '@tensorflow/tfjs-core';
import type {ParamMask} from './select_params';
import {show} from './validate';

// Last path segments of normalisation parameters and biases (TF.js / Keras names).
const NO_DECAY_LEAVES = new Set(['bias', 'beta', 'gamma', 'moving_mean', 'moving_variance']);
// A path segment naming a normalisation layer: `bn1`, `ln`, `gn2`, `layer_norm`, `RMSNorm`, ...
const NORM_SEGMENT = /^(bn|ln|gn)\d*$|norm/i;

/**
 * True for parameters that should get no weight decay: tensors of rank <= 1 (biases, norm
 * scales and offsets, scalar gates), names ending in `bias`, `beta`, `gamma`, `moving_mean`
 * or `moving_variance`, and anything under a normalisation layer (a path segment `bn`, `ln`,
 * `gn` with optional digits, or containing `norm`, case-insensitive).
 *
 * Same rule as timm `param_groups_weight_decay` (`param.ndim <= 1 or name.endswith(".bias")`),
 * widened to the names TF.js/Keras layers use.
 *
 * ```ts
 * isNormOrBias('block3/bn1/gamma', gamma);    // true
 * isNormOrBias('block3/conv1/kernel', kernel); // false
 * ```
 * @param name hierarchical parameter name, `/`-separated
 * @param tensor the parameter (only its rank is used)
 */
export function isNormOrBias(name: string, tensor: tf.Tensor): boolean {
  if (typeof name !== 'string') throw new Error(`isNormOrBias: name must be a string, got ${show(name)}`);
  if (!(tensor instanceof tf.Tensor)) throw new Error(`isNormOrBias: tensor must be a tf.Tensor, got ${show(tensor)}`);
  if (tensor.rank <= 1) return true;
  const segments = name.split('/');
  if (NO_DECAY_LEAVES.has(segments[segments.length - 1])) return true;
  return segments.slice(0, -1).some((s) => NORM_SEGMENT.test(s));
}

/**
 * The timm-style default mask: decay every parameter except biases and normalisation
 * parameters (see {@link isNormOrBias}). Combine it with globs by listing both:
 * `{exclude: [isNormOrBias, 'embeddings/**']}`.
 *
 * ```ts
 * const decay = decoupledWeightDecay({rate: 0.05, mask: excludeNormAndBias});
 * ```
 */
export const excludeNormAndBias: ParamMask = Object.freeze({exclude: isNormOrBias});
