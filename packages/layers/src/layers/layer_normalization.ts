import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {layerNorm} from '@stable-train/batchnorm';
import {AffineNormArgs, AffineNormLayer, checkAxis, trailingShape} from './affine_norm_layer';

/** Options of {@link layerNormalization} (Keras / tf.layers `LayerNormalization`). */
export interface LayerNormalizationArgs extends AffineNormArgs {
  /** the axes to normalise over: -1 (default) or the last k axes, e.g. [-3, -2, -1] */
  axis?: number | number[];
}

/**
 * Layer normalisation computed by `@stable-train/batchnorm`'s `layerNorm`:
 * y = (x - mean) / sqrt(var + epsilon) * gamma + beta, mean and biased variance per sample over
 * the `axis` axes (which must be the input's last axes; PyTorch `normalized_shape`). The same in
 * training and inference. Default epsilon 1e-3 (Keras; PyTorch `nn.LayerNorm` uses 1e-5).
 * Weights: `gamma`, `beta` of the normalised axes' shape.
 * Reference: Ba, Kiros & Hinton 2016, https://arxiv.org/abs/1607.06450
 */
export class StableTrainLayerNormalization extends AffineNormLayer {
  /** @nocollapse */
  static className = 'StableTrainLayerNormalization';
  readonly axis: number | number[];
  private normalizedShape: number[] = [];

  constructor(args: LayerNormalizationArgs = {}) {
    const axis = checkAxis('layerNormalization', args?.axis);
    super('layerNormalization', args, 1e-3, true);
    this.axis = axis;
  }

  protected paramShape(shape: tfl.Shape): number[] {
    this.normalizedShape = trailingShape(this.name, shape, this.axis);
    return this.normalizedShape;
  }

  protected normalize(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null): tf.Tensor {
    return layerNorm(x, gamma, beta, this.epsilon, this.normalizedShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {axis: this.axis, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainLayerNormalization);

/**
 * Layer normalisation for tf.layers models (see {@link StableTrainLayerNormalization}).
 *
 * ```ts
 * const ln = layers.layerNormalization({epsilon: 1e-5}); // PyTorch nn.LayerNorm(C)
 * ```
 * @param args see {@link LayerNormalizationArgs}
 */
export function layerNormalization(args?: LayerNormalizationArgs): StableTrainLayerNormalization {
  return new StableTrainLayerNormalization(args);
}
