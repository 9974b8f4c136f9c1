import {bottleneck} from './bottleneck';
import {linearDropRate} from './drop_path';
import type {ResidualBlock} from './residual_block';
import {residualConv} from './residual_conv';
import {stack} from './stack';
import type {Stack} from './stack';
import type {BlockOptions} from './types';
import {checkCommon, checkFreePrefix, checkInt, checkOptions, MAX_BLOCKS, show} from './validate';

/** One stage: `blocks` blocks; the first one carries `stride` and the channel change. */
export interface StageOptions {
  /** channels (basic) or inner channels (bottleneck: output = filters * expansion) */
  filters: number;
  /** number of blocks in the stage */
  blocks: number;
  /** stride of the stage's first block, default 1 for stage 0 and 2 after */
  stride?: number;
}

/** Options of {@link residualCnn}. */
export interface ResidualCnnOptions extends Omit<BlockOptions, 'fixup'> {
  stages: StageOptions[];
  /** channels of the input (the stem's output) */
  inChannels: number;
  /** `'basic'` ({@link residualConv}, default) or `'bottleneck'` */
  block?: 'basic' | 'bottleneck';
  /** bottleneck expansion, default 4 */
  expansion?: number;
  /** Fixup with numBlocks = total blocks; cannot be combined with `norm` or a gate */
  fixup?: boolean;
  /**
   * the LAST block's stochastic depth rate; block i of the L blocks (0-based, across all stages)
   * gets rate · i / (L − 1), rising linearly from 0 (timm `drop_path_rate`); default 0
   */
  dropPath?: number;
}

/**
 * The residual body of a ResNet (NHWC): stages of basic or bottleneck pre-activation blocks,
 * named `${name}/stage${s}/block${b}`. Bring your own stem and head. With `dropPath: r` it is a
 * ResNet with stochastic depth whose rate rises linearly with depth, block i of L getting
 * r · i / (L − 1) (timm; Huang et al. 2016 https://arxiv.org/abs/1603.09382); `layerScale`,
 * `squeezeExcite` and `preAct` go to every block.
 *
 * Reference: He et al. 2016, https://arxiv.org/abs/1603.05027 (timm `ResNetV2` stages).
 *
 * ```ts
 * const body = residualCnn({name: 'cnn', inChannels: 16, stages: [{filters: 16, blocks: 2}, {filters: 32, blocks: 2}]});
 * const y = body.apply(x, {training: true}); // x [n, 32, 32, 16] -> y [n, 16, 16, 32]
 * ```
 * @param opts.stages non-empty list of {filters, blocks, stride?}
 * @param opts.inChannels input channels (int > 0)
 * @param opts.block `'basic'` or `'bottleneck'`
 * @param opts.name prefix of every variable name
 * @param opts.fixup `true` for Fixup with L = total number of blocks
 * @param opts.dropPath the last block's drop rate in [0, 1] (linear from 0), default 0
 * @param opts.norm, opts.activation, opts.gate, opts.kernelInit, opts.biasInit, opts.useBias as in {@link residualConv}
 */
export function residualCnn(opts: ResidualCnnOptions): Stack {
  const where = checkOptions('residualCnn', opts);
  let channels = checkInt(where, 'inChannels', opts.inChannels);
  const kind = opts.block ?? 'basic';
  if (kind !== 'basic' && kind !== 'bottleneck') {
    throw new Error(`${where}: block must be 'basic' or 'bottleneck', got ${show(kind)}`);
  }
  const expansion = opts.expansion === undefined ? 4 : checkInt(where, 'expansion', opts.expansion);
  if (!Array.isArray(opts.stages) || opts.stages.length === 0) {
    throw new Error(`${where}: stages must be a non-empty array of {filters, blocks, stride?}, got ${show(opts.stages)}`);
  }
  const plan = opts.stages.map((s, i) => {
    if (s === null || typeof s !== 'object') throw new Error(`${where}: stages[${i}] must be an object, got ${show(s)}`);
    return {
      filters: checkInt(where, `stages[${i}].filters`, s.filters),
      blocks: checkInt(where, `stages[${i}].blocks`, s.blocks, 1, MAX_BLOCKS),
      stride: s.stride === undefined ? (i === 0 ? 1 : 2) : checkInt(where, `stages[${i}].stride`, s.stride),
    };
  });
  if (opts.fixup !== undefined && typeof opts.fixup !== 'boolean') {
    throw new Error(`${where}: fixup must be a boolean, got ${show(opts.fixup)}`);
  }
  const total = plan.reduce((a, s) => a + s.blocks, 0);
  if (total > MAX_BLOCKS) throw new Error(`${where}: stages must have at most ${MAX_BLOCKS} blocks in all, got ${total}`);
  const fixup = opts.fixup ? {numBlocks: total} : undefined;
  checkCommon(where, {...opts, fixup});
  checkFreePrefix(where, opts.name);
  const blocks: ResidualBlock[] = [];
  const maxRate = opts.dropPath ?? 0;
  try {
    plan.forEach((s, si) => {
      for (let b = 0; b < s.blocks; b++) {
        const dropPath = linearDropRate(maxRate, blocks.length, total);
        const common = {...opts, fixup, dropPath, name: `${opts.name}/stage${si}/block${b}`, inChannels: channels, stride: b === 0 ? s.stride : 1};
        const block = kind === 'basic' ? residualConv({...common, filters: s.filters}) : bottleneck({...common, filters: s.filters, expansion});
        blocks.push(block);
        channels = block.outChannels;
      }
    });
    // inside the try: a stack that refuses its blocks must not leave them alive
    return stack(blocks);
  } catch (e) {
    blocks.forEach((b) => b.dispose());
    throw e;
  }
}
