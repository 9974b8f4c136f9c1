import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {rmsNorm} from '@stable-train/batchnorm';
import {AffineNormArgs, AffineNormLayer, checkAxis, trailingShape} from './affine_norm_layer';

/** Options of {@link rmsNormalization} (Keras 3 `RMSNormalization`); no `center` / beta. */
export interface RMSNormalizationArgs extends Omit<AffineNormArgs, 'center' | 'betaInitializer' | 'betaRegularizer' | 'betaConstraint'> {
  /** the axes to normalise over: -1 (default) or the last k axes */
  axis?: number | number[];
}

/**
 * RMS normalisation computed by `@stable-train/batchnorm`'s `rmsNorm`:
 * y = x / sqrt(mean(x^2) + epsilon) * gamma, the mean per sample over the `axis` axes (the
 * input's last axes). No centring, no shift. Default epsilon 1e-6 (T5 / LLaMA, Keras 3); PyTorch
 * `nn.RMSNorm`'s default is float32's machine epsilon, 1.1920929e-7.
 * Weight: `gamma` of the normalised axes' shape (with `scale`, the default).
 * Reference: Zhang & Sennrich 2019, https://arxiv.org/abs/1910.07467
 */
export class StableTrainRMSNormalization extends AffineNormLayer {
  /** @nocollapse */
  static className = 'StableTrainRMSNormalization';
  readonly axis: number | number[];
  private normalizedShape: number[] = [];

  constructor(args: RMSNormalizationArgs = {}) {
    const axis = checkAxis('rmsNormalization', args?.axis);
    super('rmsNormalization', args, 1e-6, false);
    this.axis = axis;
  }

  protected override hasCenter(): boolean {
    return false;
  }

  protected paramShape(shape: tfl.Shape): number[] {
    this.normalizedShape = trailingShape(this.name, shape, this.axis);
    return this.normalizedShape;
  }

  protected normalize(x: tf.Tensor, gamma: tf.Tensor | null): tf.Tensor {
    return rmsNorm(x, gamma, this.epsilon, this.normalizedShape);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {axis: this.axis, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainRMSNormalization);

/**
 * RMS normalisation for tf.layers models (see {@link StableTrainRMSNormalization}).
 *
 * ```ts
 * const rms = layers.rmsNormalization({epsilon: 1e-6});
 * ```
 * @param args see {@link RMSNormalizationArgs}
 */
export function rmsNormalization(args?: RMSNormalizationArgs): StableTrainRMSNormalization {
  return new StableTrainRMSNormalization(args);
}
