import * as tf from '@tensorflow/tfjs-core';
import {bottleneckSpec} from '@stable-train/resnet-blocks';
import type {BlockSpec} from '@stable-train/resnet-blocks';
import {integer} from './checks';
import {ResidualBlockArgs, ResidualBlockLayer} from './residual_block_layer';

/** Options of {@link bottleneck}. */
export interface BottleneckArgs extends ResidualBlockArgs {
  /** channels of the inner 1×1 and 3×3 convs; the output has `filters * expansion` */
  filters: number;
  /** output channels = filters * expansion (default 4) */
  expansion?: number;
  /** stride of the 3×3 conv and of the projection (default 1) */
  strides?: number;
}

/**
 * Pre-activation bottleneck residual block (NHWC; `@stable-train/resnet-blocks`' `bottleneck`,
 * computed by its `residualBlockApply`): y = s(x) + g * F(x),
 * F(x) = conv3(act(norm3(conv2(act(norm2(conv1(act(norm1(x))))))))), conv1 1×1 in→filters,
 * conv2 3×3 (strided, padding 1), conv3 1×1 filters→filters·expansion; s a bias-free 1×1
 * projection (same stride) of act(norm1(x)) when the stride is not 1 or the input has other than
 * filters·expansion channels, else the identity.
 * Weights: `norm1..3/*`, `conv1..3/kernel`, `conv1..3/bias`, `shortcut/kernel`, `gate/alpha`.
 * tfjs-wasm 4.22 cannot train convs (no Conv2DBackpropFilter): train on cpu / WebGL or with the
 * `stable-train` umbrella's wasm fix.
 * Reference: He et al. 2016, https://arxiv.org/abs/1603.05027 (timm `PreActBottleneck`)
 */
export class StableTrainBottleneck extends ResidualBlockLayer {
  /** @nocollapse */
  static className = 'StableTrainBottleneck';
  readonly filters: number;
  readonly expansion: number;
  readonly strides: number;

  constructor(args: BottleneckArgs) {
    const where = 'bottleneck';
    if (args == null || typeof args !== 'object') throw new Error(`${where}: args with filters are required, got ${String(args)}`);
    const filters = integer(where, 'filters', args.filters, undefined);
    const expansion = integer(where, 'expansion', args.expansion, 4);
    const strides = integer(where, 'strides', args.strides, 1);
    super(where, args);
    this.filters = filters;
    this.expansion = expansion;
    this.strides = strides;
    this.spec(filters * expansion);
  }

  protected spec(inChannels: number): BlockSpec {
    return bottleneckSpec({
      name: this.name, filters: this.filters, expansion: this.expansion, inChannels, stride: this.strides,
      gate: this.gate, useBias: this.useBias, activation: this.activation,
    });
  }

  protected get rank(): number {
    return 4;
  }

  protected get outChannels(): number {
    return this.filters * this.expansion;
  }

  protected override get stride(): number {
    return this.strides;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {filters: this.filters, expansion: this.expansion, strides: this.strides, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainBottleneck);

/**
 * Bottleneck residual block for tf.layers models (see {@link StableTrainBottleneck}).
 *
 * ```ts
 * const block = layers.bottleneck({filters: 16, strides: 2, norm: 'groupNormalization', normGroups: 8, gate: 'rezero'});
 * ```
 * @param args see {@link BottleneckArgs}
 */
export function bottleneck(args: BottleneckArgs): StableTrainBottleneck {
  return new StableTrainBottleneck(args);
}
