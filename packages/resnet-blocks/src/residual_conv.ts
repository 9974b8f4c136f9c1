import {buildResidualBlock} from './residual_block';
import type {BlockSpec, ResidualBlock} from './residual_block';
import type {BlockOptions} from './types';
import {checkCommon, checkInt, checkOptions} from './validate';

/** Options of {@link residualConv}. */
export interface ResidualConvOptions extends BlockOptions {
  /** output channels */
  filters: number;
  /** input channels, default `filters` */
  inChannels?: number;
  /** stride of the first 3×3 conv (and of the projection), default 1 */
  stride?: number;
}

/**
 * Basic pre-activation convolutional residual block (NHWC, kernels `[h, w, in, out]`):
 * y = s(x) + g · F(x), F(x) = conv2(act(norm2(conv1(act(norm1(x)))))), both convs 3×3 with
 * PyTorch-style symmetric zero padding 1; conv1 carries the stride. When the stride is not 1 or
 * `inChannels != filters`, s is a bias-free 1×1 projection (same stride) of act(norm1(x));
 * otherwise s is the identity.
 *
 * Reference: He et al. 2016, "Identity Mappings in Deep Residual Networks",
 * https://arxiv.org/abs/1603.05027 (timm `PreActBasic`, torchvision `BasicBlock` is post-activation).
 * Variables: `${name}/conv1/kernel [3,3,in,filters]`, `${name}/conv1/bias`,
 * `${name}/conv2/kernel [3,3,filters,filters]`, `${name}/conv2/bias`, `${name}/shortcut/kernel
 * [1,1,in,filters]` (projection), `${name}/gate/alpha`, `${name}/fixup/bias1..4`, `${name}/fixup/scale`,
 * plus the norms' variables under `${name}/norm1`, `${name}/norm2`.
 *
 * ```ts
 * const block = residualConv({filters: 32, inChannels: 16, stride: 2, name: 'stage1/block0', norm});
 * const y = block.apply(x, {training: true}); // x [n, 32, 32, 16] -> y [n, 16, 16, 32]
 * ```
 * @param opts.filters output channels (int > 0)
 * @param opts.inChannels input channels (int > 0), default `filters`
 * @param opts.stride stride of conv1 and the projection (int > 0), default 1
 * @param opts.name prefix of every variable name
 * @param opts.norm normalisation factory `(channels, name) => Module`; absent = none
 * @param opts.activation `'relu'` (default), another name, or a function
 * @param opts.gate `'none'` (default), `'rezero'`, `'skipinit'` or `{init}`
 * @param opts.fixup `{numBlocks}`: Fixup init (conv1 scaled by L^(-1/2), conv2 zero)
 * @param opts.kernelInit kernel initialiser, default He uniform
 * @param opts.biasInit bias initialiser, default zeros
 * @param opts.useBias conv biases in the branch, default true (torchvision/timm: false)
 */
export function residualConv(opts: ResidualConvOptions): ResidualBlock {
  return buildResidualBlock(residualConvSpec(opts));
}

/**
 * The validated layout of a {@link residualConv} block (its weight layers, shortcut, gate and Fixup), for
 * `residualBlockApply` / `residualBlockWeights`: the same checks and error messages as
 * `residualConv`, no tensors made. `residualConv(opts)` builds its module from this.
 * @param opts as for {@link residualConv}
 */
export function residualConvSpec(opts: ResidualConvOptions): BlockSpec {
  const where = checkOptions('residualConv', opts);
  const filters = checkInt(where, 'filters', opts.filters);
  const inChannels = opts.inChannels === undefined ? filters : checkInt(where, 'inChannels', opts.inChannels);
  const stride = opts.stride === undefined ? 1 : checkInt(where, 'stride', opts.stride);
  const {alpha0, fixupL} = checkCommon(where, opts);
  const bias = opts.useBias ?? true;
  const project = stride !== 1 || inChannels !== filters;
  return {
    where,
    opts,
    alpha0,
    fixupL,
    kind: 'conv',
    layers: [
      {label: 'conv1', kernelShape: [3, 3, inChannels, filters], stride, bias},
      {label: 'conv2', kernelShape: [3, 3, filters, filters], stride: 1, bias},
    ],
    shortcut: project ? {label: 'shortcut', kernelShape: [1, 1, inChannels, filters], stride, bias: false} : null,
  };
}
