import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {WeightStandardization} from '@stable-train/batchnorm';
import {resolveActivation} from '@stable-train/resnet-blocks';
import type {ActivationName} from '@stable-train/resnet-blocks';
import type {LayerArgs} from './batch_normalization';
import {bool, checkArgs, integer, oneOf, positive} from './checks';
import {checkActivation, convOutputSize, pair} from './conv_options';
import {
  Constraint, ConstraintOption, Initializer, InitializerOption, Regularizer, RegularizerOption,
  resolveConstraint, resolveInitializer, resolveRegularizer, serialize,
} from './weight_options';

/** Options of {@link weightStandardizedConv2d}: Keras `Conv2D`'s (channels last) plus `epsilon`. */
export interface WeightStandardizedConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  dilationRate?: number | [number, number];
  /** an activation name (default 'linear') */
  activation?: ActivationName;
  useBias?: boolean;
  /** added to the kernel's per-filter variance inside the square root (default 1e-6, timm's) */
  epsilon?: number;
  kernelInitializer?: InitializerOption;
  biasInitializer?: InitializerOption;
  kernelRegularizer?: RegularizerOption;
  biasRegularizer?: RegularizerOption;
  kernelConstraint?: ConstraintOption;
  biasConstraint?: ConstraintOption;
}

/**
 * A 2-D convolution (NHWC) whose kernel is standardised per output filter before every use:
 * y = act(conv2d(x, (W - mean(W)) / sqrt(var(W) + epsilon)) + b), mean and biased variance of
 * each filter over [h, w, in], computed by `@stable-train/batchnorm`'s `WeightStandardization`.
 * The gradient flows through the standardisation. Pairs with `groupNormalization`.
 * Backends: tfjs-wasm 4.22 has no Conv2DBackpropFilter, so training this layer needs cpu or WebGL
 * (or the `stable-train` umbrella's wasm fix); its forward pass runs everywhere. tfjs-core 4.22's
 * conv2d gradient refuses `dilationRate` > 1, so dilated ones run forward only (inference).
 * Weights: `kernel` [kh, kw, in, filters], `bias` [filters].
 * Reference: Qiao et al. 2019, https://arxiv.org/abs/1903.10520 (timm `StdConv2d`)
 */
export class StableTrainWeightStandardizedConv2D extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainWeightStandardizedConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: [number, number];
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly epsilon: number;
  private readonly inits: {kernel: Initializer; bias: Initializer};
  private readonly regs: {kernel: Regularizer | null; bias: Regularizer | null};
  private readonly cons: {kernel: Constraint | null; bias: Constraint | null};
  private readonly ws: WeightStandardization;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: WeightStandardizedConv2DArgs) {
    const where = 'weightStandardizedConv2d';
    checkArgs(where, args);
    if (args == null) throw new Error(`${where}: args with filters and kernelSize are required, got ${String(args)}`);
    const filters = integer(where, 'filters', args.filters, undefined);
    const kernelSize = pair(where, 'kernelSize', args.kernelSize, undefined);
    const strides = pair(where, 'strides', args.strides, 1);
    const dilationRate = pair(where, 'dilationRate', args.dilationRate, 1);
    const padding = oneOf(where, 'padding', args.padding, 'valid', ['valid', 'same'] as const);
    const activation = checkActivation(where, args.activation, 'linear');
    const useBias = bool(where, 'useBias', args.useBias, true);
    const epsilon = positive(where, 'epsilon', args.epsilon, 1e-6);
    const inits = {
      kernel: resolveInitializer(where, 'kernelInitializer', args.kernelInitializer, 'glorotUniform'),
      bias: resolveInitializer(where, 'biasInitializer', args.biasInitializer, 'zeros'),
    };
    const regs = {
      kernel: resolveRegularizer(where, 'kernelRegularizer', args.kernelRegularizer),
      bias: resolveRegularizer(where, 'biasRegularizer', args.biasRegularizer),
    };
    const cons = {
      kernel: resolveConstraint(where, 'kernelConstraint', args.kernelConstraint),
      bias: resolveConstraint(where, 'biasConstraint', args.biasConstraint),
    };
    super(args);
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.strides = strides;
    this.dilationRate = dilationRate;
    this.padding = padding;
    this.activation = activation;
    this.useBias = useBias;
    this.epsilon = epsilon;
    this.inits = inits;
    this.regs = regs;
    this.cons = cons;
    this.ws = new WeightStandardization({eps: epsilon});
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[3];
    if (shape.length !== 4 || c == null) {
      throw new Error(`${this.name}: expected NHWC input [batch, height, width, channels] with known channels, got input shape [${shape}]`);
    }
    const kShape = [...this.kernelSize, c, this.filters];
    this.kernel = this.addWeight('kernel', kShape, 'float32', this.inits.kernel, this.regs.kernel ?? undefined, true, this.cons.kernel ?? undefined);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', this.inits.bias, this.regs.bias ?? undefined, true, this.cons.bias ?? undefined);
    this.inputSpec = [new tfl.InputSpec({ndim: 4, axes: {3: c}})];
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const out = [0, 1].map((i) => convOutputSize(s[i + 1], this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding));
    return [s[0], out[0], out[1], this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const act = resolveActivation(this.activation, this.name);
    return tf.tidy(() => {
      const y = this.ws.conv2d(x, this.kernel!.read() as tf.Tensor4D, this.strides, this.padding, this.dilationRate);
      return act(this.bias ? tf.add(y, this.bias.read()) : y);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
      epsilon: this.epsilon,
      kernelInitializer: serialize(this.inits.kernel),
      biasInitializer: serialize(this.inits.bias),
      kernelRegularizer: serialize(this.regs.kernel),
      biasRegularizer: serialize(this.regs.bias),
      kernelConstraint: serialize(this.cons.kernel),
      biasConstraint: serialize(this.cons.bias),
      ...super.getConfig(),
    };
  }
}
tf.serialization.registerClass(StableTrainWeightStandardizedConv2D);

/**
 * Weight-standardised conv2d for tf.layers models (see {@link StableTrainWeightStandardizedConv2D}).
 *
 * ```ts
 * const conv = layers.weightStandardizedConv2d({filters: 16, kernelSize: 3, padding: 'same'});
 * ```
 * @param args see {@link WeightStandardizedConv2DArgs}
 */
export function weightStandardizedConv2d(args: WeightStandardizedConv2DArgs): StableTrainWeightStandardizedConv2D {
  return new StableTrainWeightStandardizedConv2D(args);
}
