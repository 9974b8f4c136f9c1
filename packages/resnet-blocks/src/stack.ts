import * as tf from '@tensorflow/tfjs-core';
import type {ApplyOptions, Module} from './types';
import type {ResidualBlock} from './residual_block';
import {show} from './validate';

/** A sequence of modules applied in order; itself a {@link Module}. */
export interface Stack extends Module {
  readonly blocks: readonly Module[];
}

/**
 * Chains modules: y = blocks[n-1](… blocks[1](blocks[0](x))). `variables` lists every block's
 * variables in order; `dispose()` disposes every block.
 *
 * Same as PyTorch `nn.Sequential` / Keras `Sequential` over the blocks.
 *
 * ```ts
 * const net = stack([residualDense({units: 16, name: 'b0'}), residualDense({units: 16, name: 'b1'})]);
 * const y = net.apply(x, {training: true});
 * ```
 * @param blocks a non-empty array of modules (`apply`, `variables`, `dispose`)
 */
export function stack(blocks: Module[]): Stack {
  if (!Array.isArray(blocks) || blocks.length === 0) {
    throw new Error(`stack: blocks must be a non-empty array of modules, got ${show(blocks)}`);
  }
  blocks.forEach((b, i) => {
    if (!b || typeof b.apply !== 'function' || !Array.isArray(b.variables) || typeof b.dispose !== 'function') {
      throw new Error(`stack: blocks[${i}] must be a module {apply, variables, dispose}, got ${show(b)}`);
    }
  });
  blocks.forEach((b, i) => {
    const prev = blocks[i - 1] as Partial<ResidualBlock> | undefined;
    const cur = b as Partial<ResidualBlock>;
    if (prev && typeof prev.outChannels === 'number' && typeof cur.inChannels === 'number' && prev.outChannels !== cur.inChannels) {
      throw new Error(`stack: blocks[${i}] must take the ${prev.outChannels} channels blocks[${i - 1}] gives, got a block taking ${cur.inChannels}`);
    }
  });
  const list = blocks.slice();
  return {
    blocks: list,
    get variables(): tf.Variable[] {
      return list.flatMap((b) => b.variables);
    },
    apply(x: tf.Tensor, opts: ApplyOptions = {training: false}): tf.Tensor {
      return tf.tidy(() => list.reduce((h, b) => b.apply(h, opts), x));
    },
    dispose(): void {
      list.forEach((b) => b.dispose());
    },
  };
}
