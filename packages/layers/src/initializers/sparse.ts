import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {TechniqueInitializer} from './technique_initializer';

/** Options of {@link sparse}. */
export interface SparseArgs {
  /** fraction of the entries of each column set to zero, in [0, 1] (required, as PyTorch) */
  sparsity: number;
  /** standard deviation of the non-zero entries, > 0, default 0.01 (PyTorch) */
  std?: number;
  /** seed of the draw (the same seed gives the same tensor) */
  seed?: number;
}

/**
 * Sparse initializer for tf.layers 2-D kernels `[in, out]`: every entry ~ N(0, std²), then in every
 * column (output unit) exactly ceil(sparsity · in) entries, at random rows, are 0. Numbers from
 * `@stable-train/initializers` `sparse`.
 *
 * The algorithm of PyTorch `torch.nn.init.sparse_(w, sparsity, std=0.01)` applied to the TF.js
 * kernel as given, so every unit gets the same number of zero incoming weights (Martens 2010).
 * Reference: Martens 2010, "Deep learning via Hessian-free optimization", ICML;
 * PyTorch: https://pytorch.org/docs/1.13/nn.init.html#torch.nn.init.sparse_
 */
export class StableTrainSparse extends TechniqueInitializer<SparseArgs> {
  static className = 'StableTrainSparse';
  constructor(args: SparseArgs) {
    if (args === undefined) throw new Error('sparse: options {sparsity, std} are required, got undefined');
    super('sparse', args, ['sparsity', 'std', 'seed'], ({seed: _s, ...o}) => st.sparse(o));
  }
}
tf.serialization.registerClass(StableTrainSparse);

/**
 * `kernelInitializer: sparse({sparsity: 0.9, std: 0.01, seed: 1})`.
 * @param args see {@link SparseArgs}
 */
export function sparse(args: SparseArgs): StableTrainSparse {
  return new StableTrainSparse(args);
}
