// The plain MLP of the perf benchmark, built from
// tfjs-core and the technique packages. (The umbrella's `src/models` / `src/data` had not landed
// when these were written; these stay deliberately minimal and fixed so results are comparable.)
import * as tf from '@tensorflow/tfjs-core';
import type {Module} from '../../../packages/stable-train/src/types';

/** A kernel initializer `(shape, {seed}) => tensor` (the initializers package's shape). */
export type KernelInit = (shape: number[], opts?: {seed?: number}) => tf.Tensor;
/** A norm factory `(channels, name) => Module` (batchnorm's classes fit). */
export type NormFactory = (channels: number, name: string) => Module;

let uid = 0;
/** A fresh variable prefix: tfjs variable names are global, and the sweeps build thousands of models. */
export const freshName = (base: string): string => `${base}_${uid++}`;

/** A module with its variables and the input shape it expects. */
export interface Net extends Module {
  inputShape: number[];
}

/**
 * Plain (non-residual) MLP: `depth` hidden layers `dense(width) → [norm] → act`, then a linear head.
 * Biases start at zero.
 */
export function plainMlp(o: {
  inDim: number;
  width: number;
  depth: number;
  outDim: number;
  activation: 'relu' | 'tanh';
  init: KernelInit;
  /** head initializer, default `init` */
  headInit?: KernelInit;
  norm?: NormFactory;
  seed: number;
}): Net {
  const name = freshName('mlp');
  const ws: tf.Variable[] = [];
  const bs: tf.Variable[] = [];
  const norms: Module[] = [];
  const dims = [o.inDim, ...Array(o.depth).fill(o.width), o.outDim];
  for (let i = 0; i + 1 < dims.length; i++) {
    const head = i + 2 === dims.length;
    const init = head && o.headInit ? o.headInit : o.init;
    ws.push(tf.tidy(() => tf.variable(init([dims[i], dims[i + 1]], {seed: o.seed * 1009 + i}), true, `${name}/l${i}/kernel`)));
    bs.push(tf.variable(tf.zeros([dims[i + 1]]), true, `${name}/l${i}/bias`));
    if (!head && o.norm) norms.push(o.norm(dims[i + 1], `${name}/l${i}/norm`));
  }
  const act = o.activation === 'relu' ? tf.relu : tf.tanh;
  return {
    inputShape: [o.inDim],
    get variables() {
      return [...ws, ...bs, ...norms.flatMap((n) => n.variables)];
    },
    apply(x: tf.Tensor, opts = {training: false}) {
      return tf.tidy(() => {
        let h = x;
        for (let i = 0; i < ws.length; i++) {
          h = tf.add(tf.matMul(h, ws[i]), bs[i]);
          if (i + 1 < ws.length) {
            if (o.norm) h = norms[i].apply(h, {training: opts.training ?? false});
            h = act(h);
          }
        }
        return h;
      });
    },
    dispose() {
      tf.dispose([...ws, ...bs]);
      norms.forEach((n) => n.dispose());
    },
  };
}
