import * as tf from '@tensorflow/tfjs-core';
import {residualConvSpec} from '@stable-train/resnet-blocks';
import type {BlockSpec} from '@stable-train/resnet-blocks';
import {integer} from './checks';
import {ResidualBlockArgs, ResidualBlockLayer} from './residual_block_layer';

/** Options of {@link residualConv}. */
export interface ResidualConvArgs extends ResidualBlockArgs {
  /** output channels */
  filters: number;
  /** stride of the first 3×3 conv and of the projection (default 1) */
  strides?: number;
  /** only 3 (the block's two convs are 3×3, as in ResNet); here for Keras familiarity */
  kernelSize?: number;
}

/**
 * Basic pre-activation conv residual block (NHWC; `@stable-train/resnet-blocks`' `residualConv`,
 * computed by its `residualBlockApply`): y = s(x) + g * F(x),
 * F(x) = conv2(act(norm2(conv1(act(norm1(x)))))), 3×3 convs with PyTorch's symmetric padding 1,
 * conv1 strided; s a bias-free 1×1 projection of act(norm1(x)) when the stride is not 1 or the
 * channels change, else the identity. Output [n, floor((h-1)/s)+1, floor((w-1)/s)+1, filters].
 * Weights: `norm1/*`, `norm2/*`, `conv1/kernel` [3,3,in,filters], `conv1/bias`,
 * `conv2/kernel` [3,3,filters,filters], `conv2/bias`, `shortcut/kernel` [1,1,in,filters], `gate/alpha`.
 * tfjs-wasm 4.22 cannot train convs (no Conv2DBackpropFilter): train on cpu / WebGL or with the
 * `stable-train` umbrella's wasm fix.
 * Reference: He et al. 2016, https://arxiv.org/abs/1603.05027 (timm `PreActBasic`)
 */
export class StableTrainResidualConv extends ResidualBlockLayer {
  /** @nocollapse */
  static className = 'StableTrainResidualConv';
  readonly filters: number;
  readonly strides: number;

  constructor(args: ResidualConvArgs) {
    const where = 'residualConv';
    if (args == null || typeof args !== 'object') throw new Error(`${where}: args with filters are required, got ${String(args)}`);
    const filters = integer(where, 'filters', args.filters, undefined);
    const strides = integer(where, 'strides', args.strides, 1);
    if (args.kernelSize !== undefined && args.kernelSize !== 3) {
      throw new Error(`${where}: kernelSize must be 3 (the block's convs are 3×3), got ${JSON.stringify(args.kernelSize)}`);
    }
    const {kernelSize: _k, ...rest} = args;
    super(where, rest);
    this.filters = filters;
    this.strides = strides;
    this.spec(filters);
  }

  protected spec(inChannels: number): BlockSpec {
    return residualConvSpec({name: this.name, filters: this.filters, inChannels, stride: this.strides, gate: this.gate, useBias: this.useBias, activation: this.activation});
  }

  protected get rank(): number {
    return 4;
  }

  protected get outChannels(): number {
    return this.filters;
  }

  protected override get stride(): number {
    return this.strides;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {filters: this.filters, strides: this.strides, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainResidualConv);

/**
 * Basic conv residual block for tf.layers models (see {@link StableTrainResidualConv}).
 *
 * ```ts
 * const block = layers.residualConv({filters: 32, strides: 2, norm: 'batchNormalization', gate: 'rezero'});
 * ```
 * @param args see {@link ResidualConvArgs}
 */
export function residualConv(args: ResidualConvArgs): StableTrainResidualConv {
  return new StableTrainResidualConv(args);
}
