import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {squeezeExciteApply} from '@stable-train/resnet-blocks';
import type {LayerArgs} from './batch_normalization';
import {checkArgs, positive} from './checks';
import {
  InitializerOption, RegularizerOption, resolveInitializer, resolveRegularizer, serialize,
} from './weight_options';

/** Options of {@link squeezeExcite}. */
export interface SqueezeExciteArgs extends LayerArgs {
  /** reduction ratio r: the bottleneck has max(1, round(C / r)) units (default 16, as Hu et al.) */
  ratio?: number;
  /** kernels' initializer (default 'heUniform', as `@stable-train/resnet-blocks`' squeezeExcite) */
  kernelInitializer?: InitializerOption;
  /** biases' initializer (default 'zeros') */
  biasInitializer?: InitializerOption;
  kernelRegularizer?: RegularizerOption;
}

/**
 * Squeeze-and-excitation (channel attention), NHWC:
 * y = x ⊙ sigmoid(relu(mean_{H,W}(x)·W1 + b1)·W2 + b2), broadcast over H, W; trainable weights
 * `fc1/kernel [C, R]`, `fc1/bias [R]`, `fc2/kernel [R, C]`, `fc2/bias [C]`, R = max(1, round(C / ratio))
 * (the width `@stable-train/resnet-blocks`' `squeezeExcite` uses). Numbers from its
 * `squeezeExciteApply`. The same in training and inference.
 *
 * Same as timm `SEModule(channels, rd_ratio=1/ratio)` with plain rounding (timm rounds to a
 * multiple of 8). Reference: Hu, Shen & Sun 2018, https://arxiv.org/abs/1709.01507
 */
export class StableTrainSqueezeExcite extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainSqueezeExcite';
  readonly ratio: number;
  private readonly kInit: ReturnType<typeof resolveInitializer>;
  private readonly bInit: ReturnType<typeof resolveInitializer>;
  private readonly kReg: ReturnType<typeof resolveRegularizer>;
  private w: tfl.LayerVariable[] = [];

  constructor(args: SqueezeExciteArgs = {}) {
    const where = 'squeezeExcite';
    checkArgs(where, args);
    const {ratio: r, kernelInitializer, biasInitializer, kernelRegularizer, ...rest} = args ?? {};
    const ratio = positive(where, 'ratio', r, 16);
    const kInit = resolveInitializer(where, 'kernelInitializer', kernelInitializer, 'heUniform');
    const bInit = resolveInitializer(where, 'biasInitializer', biasInitializer, 'zeros');
    const kReg = resolveRegularizer(where, 'kernelRegularizer', kernelRegularizer);
    super(rest);
    this.ratio = ratio;
    this.kInit = kInit;
    this.bInit = bInit;
    this.kReg = kReg;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[3];
    if (shape.length !== 4 || c == null) {
      throw new Error(`${this.name}: expected an NHWC input [N, H, W, C] with a known C, got input shape [${shape}]`);
    }
    const r = Math.max(1, Math.round(c / this.ratio));
    const reg = this.kReg ?? undefined;
    this.w = [
      this.addWeight('fc1/kernel', [c, r], 'float32', this.kInit, reg, true),
      this.addWeight('fc1/bias', [r], 'float32', this.bInit, undefined, true),
      this.addWeight('fc2/kernel', [r, c], 'float32', this.kInit, reg, true),
      this.addWeight('fc2/bias', [c], 'float32', this.bInit, undefined, true),
    ];
    this.inputSpec = [new tfl.InputSpec({ndim: 4, axes: {3: c}})];
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const [w1, b1, w2, b2] = this.w.map((v) => v.read());
    return squeezeExciteApply(x, w1, b1, w2, b2);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ratio: this.ratio,
      kernelInitializer: serialize(this.kInit),
      biasInitializer: serialize(this.bInit),
      kernelRegularizer: serialize(this.kReg),
      ...super.getConfig(),
    };
  }
}
tf.serialization.registerClass(StableTrainSqueezeExcite);

/**
 * Squeeze-and-excitation for tf.layers conv models (see {@link StableTrainSqueezeExcite}).
 *
 * ```ts
 * const model = tf.sequential({layers: [
 *   tf.layers.conv2d({filters: 32, kernelSize: 3, padding: 'same', inputShape: [16, 16, 3]}),
 *   layers.squeezeExcite({ratio: 8}),
 * ]});
 * ```
 * @param args `ratio` (default 16), `kernelInitializer`, `biasInitializer`, `kernelRegularizer`
 */
export function squeezeExcite(args?: SqueezeExciteArgs): StableTrainSqueezeExcite {
  return new StableTrainSqueezeExcite(args);
}
