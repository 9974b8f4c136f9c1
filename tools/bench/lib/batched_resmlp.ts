// M independent residual MLPs of L blocks (no normalisation) trained side by side, every
// technique taken from the packages:
// - the block math is @stable-train/resnet-blocks' `residualBlockApply` on the layout of
//   `residualDenseSpec` (plain, gate 'rezero' / 'skipinit', or Fixup with L blocks);
// - the initial weights are those of the package's own `residualDense` blocks (Fixup's scaled
//   first layer and zero last layer, ReZero's alpha = 0, ...), built once per model and block with
//   a seeded He-uniform kernel init from @stable-train/initializers, read, and disposed.
// Nothing here computes a block, an init or an update itself.
//
// Why batched: the models of one variant share a layout, so each weight of the block is stacked
// over blocks and models ([L, M, ...]) and unstacked once per step; `residualBlockApply` then runs
// on [M, B, w] activations (dense layers are `matMul`, batched over the model axis; biases
// [M, 1, w] and scalars [M, 1, 1] broadcast). The package's per-block variables would cost
// ~5,000 optimizer updates per step at L = 1000.
import * as tf from '@tensorflow/tfjs-core';
import {heUniform} from '@stable-train/initializers';
import {residualBlockApply, residualBlockWeights, residualDense, residualDenseSpec, resolveActivation, type BlockLayout, type BlockOptions} from '@stable-train/resnet-blocks';
import {batchedLossAndGrads} from './batched_grads';
import {unstackTree} from './unstack';

export type ResVariant = 'plain' | 'rezero' | 'skipinit' | 'fixup';

/** The package options of a variant's blocks (the same as `residualMlp`'s for that variant). */
export function variantOptions(variant: ResVariant, blocks: number): Pick<BlockOptions, 'gate' | 'fixup'> {
  if (variant === 'fixup') return {fixup: {numBlocks: blocks}};
  return variant === 'plain' ? {} : {gate: variant};
}

interface Group {
  /** the variants sharing this layout (ReZero and SkipInit do) */
  variants: ResVariant[];
  layout: BlockLayout;
  /** indices into `models` of this group's models, in stack order */
  members: number[];
  /** stacked weights by the block's weight name (`dense1/kernel`, `gate/alpha`, ...) */
  vars: {[name: string]: tf.Variable};
}

let instances = 0;
const RELU = resolveActivation('relu', 'BatchedResMlp');

export class BatchedResMlp {
  readonly M: number;
  readonly groups: Group[] = [];
  /** position of model i in the concatenation of the groups' outputs */
  private readonly order: tf.Tensor1D;

  constructor(readonly o: {models: {seed: number; variant: ResVariant}[]; blocks: number; width: number}) {
    const {blocks: L, width: w} = o;
    this.M = o.models.length;
    const id = instances++;
    const init = heUniform(); // U(±√(6/fanIn)), resnet-blocks' default kernel init, seeded here
    // one group per block layout: ReZero and SkipInit share one (a scalar gate starting at 0)
    const layoutOf = (v: ResVariant) => residualDenseSpec({units: w, name: 'layout', ...variantOptions(v, L)});
    const keyOf = (v: ResVariant) => {
      const {where, opts, ...layout} = layoutOf(v);
      return JSON.stringify(layout);
    };
    for (const key of [...new Set(o.models.map((m) => keyOf(m.variant)))]) {
      const members = o.models.map((m, i) => (keyOf(m.variant) === key ? i : -1)).filter((i) => i >= 0);
      const variants = [...new Set(members.map((i) => o.models[i].variant))];
      const layout = layoutOf(variants[0]);
      const weights = residualBlockWeights(layout);
      // values[name][l][j]: block l of member j, from the package's own block
      const values: {[name: string]: tf.Tensor[][]} = Object.fromEntries(weights.map((wt) => [wt.name, []]));
      for (let l = 0; l < L; l++) {
        for (const name of Object.keys(values)) values[name].push([]);
        for (const i of members) {
          const variant = o.models[i].variant;
          let k = 0; // dense1 gets seed·100003 + 2l, dense2 + 1 (Fixup's zero dense2 draws nothing)
          const kernelInit = (shape: number[]) => init(shape, {seed: o.models[i].seed * 100003 + 2 * l + k++});
          const name = `batched_init${id}/${variant}/m${i}/block${l}`;
          const block = residualDense({units: w, name, kernelInit, ...variantOptions(variant, L)});
          const byName = Object.fromEntries(block.variables.map((v) => [v.name, v]));
          for (const wt of weights) {
            // kernels [w, w] stay; biases [w] → [1, w] and scalars → [1, 1] to broadcast over the batch
            const shape = wt.shape.length === 2 ? wt.shape : [1, wt.shape[0] ?? 1];
            values[wt.name][l].push(tf.reshape(byName[`${name}/${wt.name}`], shape));
          }
          block.dispose();
        }
      }
      const vars: {[name: string]: tf.Variable} = {};
      for (const [name, perBlock] of Object.entries(values)) {
        vars[name] = tf.variable(tf.tidy(() => tf.stack(perBlock.map((ms) => tf.stack(ms)))), true, `batched${id}/${variants.join('+')}/${name}`);
        tf.dispose(perBlock.flat());
      }
      this.groups.push({variants, layout, members, vars});
    }
    const pos = new Array<number>(this.M);
    let p = 0;
    for (const g of this.groups) for (const i of g.members) pos[i] = p++;
    this.order = tf.tensor1d(pos, 'int32');
  }

  get variables(): tf.Variable[] {
    return this.groups.flatMap((g) => Object.values(g.vars));
  }

  /**
   * Outputs [M, B, w] for x [B, w]. `inference`: frees each block's intermediates at once (no
   * gradient possible), so a large held-out set fits in memory at L = 1000.
   */
  apply(x: tf.Tensor, inference = false): tf.Tensor {
    const outs = this.groups.map((g) => {
      if (!inference) return tf.tidy(() => this.run(g, x, this.unstacked(g)));
      const u = tf.tidy(() => this.unstacked(g));
      let h: tf.Tensor = tf.tidy(() => tf.tile(tf.expandDims(x, 0), [g.members.length, 1, 1]));
      for (let l = 0; l < this.o.blocks; l++) {
        const next = this.block(g, h, u, l);
        h.dispose();
        h = next;
      }
      tf.dispose(Object.values(u).flat());
      return h;
    });
    const y = tf.tidy(() => tf.gather(outs.length === 1 ? outs[0] : tf.concat(outs, 0), this.order));
    tf.dispose(outs);
    return y;
  }

  private run(g: Group, x: tf.Tensor, u: {[name: string]: tf.Tensor[]}): tf.Tensor {
    let h: tf.Tensor = tf.tile(tf.expandDims(x, 0), [g.members.length, 1, 1]);
    for (let l = 0; l < this.o.blocks; l++) h = this.block(g, h, u, l);
    return h;
  }

  private unstacked(g: Group): {[name: string]: tf.Tensor[]} {
    return Object.fromEntries(Object.entries(g.vars).map(([k, v]) => [k, unstackTree(v)]));
  }

  /** Block l of every model in the group: the package's `residualBlockApply`. */
  private block(g: Group, h: tf.Tensor, u: {[name: string]: tf.Tensor[]}, l: number): tf.Tensor {
    const weights = Object.fromEntries(Object.entries(u).map(([k, t]) => [k, t[l]]));
    return residualBlockApply(g.layout, h, weights, {activation: RELU});
  }

  /** MSE of each model against y [B, w], [M]. */
  losses(x: tf.Tensor, y: tf.Tensor, inference = false): tf.Tensor1D {
    const out = this.apply(x, inference);
    const l = tf.tidy(() => tf.mean(tf.squaredDifference(out, tf.expandDims(y, 0)), [1, 2]) as tf.Tensor1D);
    out.dispose();
    return l;
  }

  /** One optimizer step of every model; returns the per-model training loss and gradient norm. */
  step(x: tf.Tensor, y: tf.Tensor, opt: tf.Optimizer): {loss: Float32Array; gradNorm: Float32Array} {
    const out = tf.tidy(() => {
      const r = batchedLossAndGrads(() => this.losses(x, y), this.variables);
      // Σg² per model: every stacked weight is [L, M_group, ...]; reduce all axes but the model axis
      const sq = this.groups.map((g) => tf.addN(Object.values(g.vars).map((v) => tf.sum(tf.square(r.grads[v.name]), [0, 2, 3]))));
      opt.applyGradients(r.grads);
      const norms = tf.gather(tf.sqrt(sq.length === 1 ? sq[0] : tf.concat(sq)), this.order);
      return tf.concat([r.lossVec, norms]);
    });
    const s = out.dataSync() as Float32Array;
    out.dispose();
    return {loss: s.slice(0, this.M), gradNorm: s.slice(this.M)};
  }

  dispose(): void {
    tf.dispose([...this.variables, this.order]);
  }
}
