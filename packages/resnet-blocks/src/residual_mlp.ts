import type {ResidualBlock} from './residual_block';
import {linearDropRate} from './drop_path';
import {residualDense} from './residual_dense';
import {stack} from './stack';
import type {Stack} from './stack';
import type {BlockOptions} from './types';
import {checkCommon, checkFreePrefix, checkInt, checkOptions, MAX_BLOCKS, show} from './validate';

/** Options of {@link residualMlp}. */
export interface ResidualMlpOptions extends Omit<BlockOptions, 'fixup'> {
  /** number of residual blocks (L) */
  depth: number;
  /** features of the residual stream (input and output) */
  width: number;
  /** hidden features inside each block, default `width` */
  hidden?: number;
  /** Fixup with numBlocks = depth; cannot be combined with `norm` or a gate */
  fixup?: boolean;
  /** the last block's stochastic depth rate; block i gets rate · i / (depth − 1) (timm), default 0 */
  dropPath?: number;
}

/**
 * A stack of `depth` {@link residualDense} blocks of width `width`, named `${name}/block${i}`
 * (i = 0 … depth-1): y = B_{L-1}(… B_0(x)). Bring your own input and output layers; with
 * `fixup: true` zero-initialise your output layer too, as Fixup prescribes.
 *
 * References: He et al. 2016 (https://arxiv.org/abs/1603.05027); gates: ReZero
 * (https://arxiv.org/abs/2003.04887), SkipInit (https://arxiv.org/abs/2002.10444); Fixup
 * (https://arxiv.org/abs/1901.09321).
 *
 * ```ts
 * const net = residualMlp({depth: 200, width: 16, name: 'mlp', gate: 'rezero'});
 * const y = net.apply(x, {training: true}); // x [batch, 16] -> y [batch, 16]
 * ```
 * @param opts.depth number of blocks (int > 0)
 * @param opts.width stream features (int > 0)
 * @param opts.hidden hidden features per block, default `width`
 * @param opts.name prefix of every variable name
 * @param opts.fixup `true` for Fixup with L = depth
 * @param opts.norm, opts.activation, opts.gate, opts.kernelInit, opts.biasInit, opts.useBias as in {@link residualDense}
 */
export function residualMlp(opts: ResidualMlpOptions): Stack {
  const where = checkOptions('residualMlp', opts);
  const depth = checkInt(where, 'depth', opts.depth, 1, MAX_BLOCKS);
  const width = checkInt(where, 'width', opts.width);
  const hidden = opts.hidden === undefined ? width : checkInt(where, 'hidden', opts.hidden);
  if (opts.fixup !== undefined && typeof opts.fixup !== 'boolean') {
    throw new Error(`${where}: fixup must be a boolean, got ${show(opts.fixup)}`);
  }
  const extra = (opts as {inputUnits?: unknown}).inputUnits;
  if (extra !== undefined) throw new Error(`${where}: inputUnits must be left out (every block takes width), got ${show(extra)}`);
  const fixup = opts.fixup ? {numBlocks: depth} : undefined;
  checkCommon(where, {...opts, fixup});
  checkFreePrefix(where, opts.name);
  const blocks: ResidualBlock[] = [];
  try {
    for (let i = 0; i < depth; i++) {
      const dropPath = linearDropRate(opts.dropPath ?? 0, i, depth);
      blocks.push(residualDense({...opts, fixup, dropPath, units: width, hidden, name: `${opts.name}/block${i}`}));
    }
    // inside the try: a stack that refuses its blocks must not leave them alive
    return stack(blocks);
  } catch (e) {
    blocks.forEach((b) => b.dispose());
    throw e;
  }
}
