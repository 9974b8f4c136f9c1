import {bottleneck} from './bottleneck';
import type {BottleneckOptions} from './bottleneck';
import type {ResidualBlock} from './residual_block';
import {residualConv} from './residual_conv';
import type {ResidualConvOptions} from './residual_conv';
import {show} from './validate';

/**
 * The pre-activation basic block, explicitly: {@link residualConv} with `preAct: true` (its
 * default), y = s(x) + conv2(act(norm2(conv1(act(norm1(x)))))). With `useBias: false` and a
 * BatchNorm factory this is exactly He et al.'s "v2" block (timm `PreActBasic`).
 * Reference: He, Zhang, Ren & Sun 2016, "Identity Mappings in Deep Residual Networks",
 * https://arxiv.org/abs/1603.05027
 *
 * ```ts
 * const block = preActBlock({filters: 32, name: 'stage1/block0', useBias: false, dropPath: 0.1});
 * ```
 * @param opts as {@link residualConv} (`preAct` must not be false)
 */
export function preActBlock(opts: ResidualConvOptions): ResidualBlock {
  if (opts !== null && typeof opts === 'object' && opts.preAct === false) {
    throw new Error(`preActBlock: preAct must be true (or left out), got ${show(opts.preAct)}; use residualConv for post-activation`);
  }
  return residualConv({...opts, preAct: true});
}

/**
 * The pre-activation bottleneck, explicitly: {@link bottleneck} with `preAct: true` (its default),
 * 1×1 → 3×3 (stride) → 1×1 with norm and activation before each conv (timm `PreActBottleneck`).
 * Reference: He et al. 2016, https://arxiv.org/abs/1603.05027
 *
 * ```ts
 * const block = preActBottleneck({filters: 16, inChannels: 64, name: 'stage2/block0'});
 * ```
 * @param opts as {@link bottleneck} (`preAct` must not be false)
 */
export function preActBottleneck(opts: BottleneckOptions): ResidualBlock {
  if (opts !== null && typeof opts === 'object' && opts.preAct === false) {
    throw new Error(`preActBottleneck: preAct must be true (or left out), got ${show(opts.preAct)}; use bottleneck for post-activation`);
  }
  return bottleneck({...opts, preAct: true});
}
