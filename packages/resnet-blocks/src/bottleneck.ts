import {buildResidualBlock} from './residual_block';
import type {BlockSpec, ResidualBlock} from './residual_block';
import type {BlockOptions} from './types';
import {checkCommon, checkInt, checkOptions} from './validate';

/** Options of {@link bottleneck}. */
export interface BottleneckOptions extends BlockOptions {
  /** channels of the inner 1×1 and 3×3 convs; the output has `filters * expansion` */
  filters: number;
  /** output channels = filters * expansion, default 4 */
  expansion?: number;
  /** input channels, default `filters * expansion` */
  inChannels?: number;
  /** stride of the 3×3 conv (and of the projection), default 1 */
  stride?: number;
}

/**
 * Pre-activation bottleneck residual block (NHWC): y = s(x) + g · F(x) with
 * F(x) = conv3(act(norm3(conv2(act(norm2(conv1(act(norm1(x))))))))), conv1 1×1 in→filters,
 * conv2 3×3 filters→filters (padding 1, carries the stride, as torchvision "ResNet v1.5" and timm),
 * conv3 1×1 filters→filters·expansion. s is a bias-free 1×1 projection of act(norm1(x)) when the
 * stride is not 1 or `inChannels != filters·expansion`, else the identity.
 *
 * Reference: He et al. 2016, https://arxiv.org/abs/1603.05027 (timm `PreActBottleneck`).
 * Variables: `${name}/conv1..3/kernel` and `/bias`, `${name}/shortcut/kernel`, `${name}/gate/alpha`,
 * `${name}/fixup/bias1..6`, `${name}/fixup/scale`, and the norms' under `${name}/norm1..3`.
 *
 * ```ts
 * const block = bottleneck({filters: 16, inChannels: 32, stride: 2, name: 'stage2/block0'});
 * const y = block.apply(x, {training: true}); // x [n, 8, 8, 32] -> y [n, 4, 4, 64]
 * ```
 * @param opts.filters inner channels (int > 0)
 * @param opts.expansion output multiplier (int > 0), default 4
 * @param opts.inChannels input channels (int > 0), default `filters * expansion`
 * @param opts.stride stride of conv2 and the projection (int > 0), default 1
 * @param opts.name prefix of every variable name
 * @param opts.norm normalisation factory; absent = none
 * @param opts.activation `'relu'` (default), another name, or a function
 * @param opts.gate `'none'` (default), `'rezero'`, `'skipinit'` or `{init}`
 * @param opts.fixup `{numBlocks}`: Fixup init (conv1, conv2 scaled by L^(-1/4), conv3 zero)
 * @param opts.kernelInit kernel initialiser, default He uniform
 * @param opts.biasInit bias initialiser, default zeros
 * @param opts.useBias conv biases in the branch, default true
 */
export function bottleneck(opts: BottleneckOptions): ResidualBlock {
  return buildResidualBlock(bottleneckSpec(opts));
}

/**
 * The validated layout of a {@link bottleneck} block (its weight layers, shortcut, gate and Fixup), for
 * `residualBlockApply` / `residualBlockWeights`: the same checks and error messages as
 * `bottleneck`, no tensors made. `bottleneck(opts)` builds its module from this.
 * @param opts as for {@link bottleneck}
 */
export function bottleneckSpec(opts: BottleneckOptions): BlockSpec {
  const where = checkOptions('bottleneck', opts);
  const filters = checkInt(where, 'filters', opts.filters);
  const expansion = opts.expansion === undefined ? 4 : checkInt(where, 'expansion', opts.expansion);
  const out = filters * expansion;
  const inChannels = opts.inChannels === undefined ? out : checkInt(where, 'inChannels', opts.inChannels);
  const stride = opts.stride === undefined ? 1 : checkInt(where, 'stride', opts.stride);
  const {alpha0, fixupL} = checkCommon(where, opts);
  const bias = opts.useBias ?? true;
  return {
    where,
    opts,
    alpha0,
    fixupL,
    kind: 'conv',
    layers: [
      {label: 'conv1', kernelShape: [1, 1, inChannels, filters], stride: 1, bias},
      {label: 'conv2', kernelShape: [3, 3, filters, filters], stride, bias},
      {label: 'conv3', kernelShape: [1, 1, filters, out], stride: 1, bias},
    ],
    shortcut: stride !== 1 || inChannels !== out ? {label: 'shortcut', kernelShape: [1, 1, inChannels, out], stride, bias: false} : null,
  };
}
