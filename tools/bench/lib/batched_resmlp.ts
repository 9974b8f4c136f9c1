// M independent residual MLPs of L blocks (no normalisation) trained side by side. The block is
// @stable-train/resnet-blocks' pre-activation `residualDense` (checked against it in
// deep-residual.ts --check):
//   plain/gated: y = x + g · (W2 · relu(W1 · relu(x) + c1) + c2)        (g = alpha, or 1)
//   Fixup:       y = x + s · (W2 · (relu(W1 · relu(x + b1) + b2 ... ) — see below
// Fixup (Zhang et al. 2019): h = relu(x + b1) + b2; h = W1 h + c1; h = relu(h + b3) + b4;
// h = W2 h + c2; y = x + s·h, with W1 = He·L^(-1/2), W2 = 0, c2 = 0, scalar b1..b4 = 0, s = 1.
// Every block's parameters are stacked over blocks and models ([L, M, ...]) and unstacked once per
// step (the package's per-block variables cost ~5,000 optimizer updates per step at L = 1000).
// Parameters a variant does not have (alpha for plain/Fixup, Fixup scalars for the others) stay
// at their neutral value: their gradients are masked to zero.
import * as tf from '@tensorflow/tfjs-core';
import {fixupScale, heUniform} from '@stable-train/initializers';
import {batchedLossAndGrads} from './batched_grads';
import {unstackTree} from './unstack';

export type ResVariant = 'plain' | 'rezero' | 'skipinit' | 'fixup';

export class BatchedResMlp {
  readonly M: number;
  readonly vars: {[k: string]: tf.Variable} = {};
  private readonly masks: {[k: string]: tf.Tensor} = {};

  constructor(readonly o: {models: {seed: number; variant: ResVariant}[]; blocks: number; width: number}) {
    const {blocks: L, width: w} = o;
    const M = (this.M = o.models.length);
    const init = heUniform(); // U(±√(6/fanIn)), resnet-blocks' default kernel init, seeded here
    const fx = fixupScale(L, 2);
    const per = (f: (m: {seed: number; variant: ResVariant}, l: number) => tf.Tensor) =>
      tf.tidy(() => tf.stack(Array.from({length: L}, (_, l) => tf.stack(o.models.map((m) => f(m, l))))));
    this.vars.W1 = tf.variable(per((m, l) => tf.mul(init([w, w], {seed: m.seed * 100003 + 2 * l}), m.variant === 'fixup' ? fx : 1)));
    this.vars.W2 = tf.variable(per((m, l) => (m.variant === 'fixup' ? tf.zeros([w, w]) : init([w, w], {seed: m.seed * 100003 + 2 * l + 1}))));
    this.vars.c1 = tf.variable(tf.zeros([L, M, 1, w]));
    this.vars.c2 = tf.variable(tf.zeros([L, M, 1, w]));
    const gated = o.models.map((m) => m.variant === 'rezero' || m.variant === 'skipinit');
    const fixup = o.models.map((m) => m.variant === 'fixup');
    this.vars.alpha = tf.variable(tf.tidy(() => tf.tile(tf.reshape(tf.tensor1d(gated.map((g) => (g ? 0 : 1))), [1, M, 1, 1]), [L, 1, 1, 1])));
    this.vars.scale = tf.variable(tf.ones([L, M, 1, 1]));
    for (const k of ['b1', 'b2', 'b3', 'b4']) this.vars[k] = tf.variable(tf.zeros([L, M, 1, 1]));
    const mask = (on: boolean[]) => tf.reshape(tf.tensor1d(on.map((b) => (b ? 1 : 0))), [1, M, 1, 1]);
    this.masks.alpha = mask(gated);
    for (const k of ['scale', 'b1', 'b2', 'b3', 'b4']) this.masks[k] = mask(fixup);
  }

  get variables(): tf.Variable[] {
    return Object.values(this.vars);
  }

  /**
   * Outputs [M, B, w] for x [B, w]. `inference`: frees each block's intermediates at once (no
   * gradient possible), so a large held-out set fits in memory at L = 1000.
   */
  apply(x: tf.Tensor, inference = false): tf.Tensor {
    if (inference) {
      let h: tf.Tensor = tf.tidy(() => tf.tile(tf.expandDims(x, 0), [this.M, 1, 1]));
      const u = tf.tidy(() => this.unstacked());
      for (let l = 0; l < this.o.blocks; l++) {
        const next = tf.tidy(() => this.block(h, u, l));
        h.dispose();
        h = next;
      }
      tf.dispose(Object.values(u).flat());
      return h;
    }
    return tf.tidy(() => {
      const u = this.unstacked();
      let h: tf.Tensor = tf.tile(tf.expandDims(x, 0), [this.M, 1, 1]);
      for (let l = 0; l < this.o.blocks; l++) h = this.block(h, u, l);
      return h;
    });
  }

  private unstacked(): {[k: string]: tf.Tensor[]} {
    const u: {[k: string]: tf.Tensor[]} = {};
    for (const [k, v] of Object.entries(this.vars)) if (k !== 'scale' && k !== 'alpha') u[k] = unstackTree(v);
    u.gate = unstackTree(tf.mul(this.vars.scale, this.vars.alpha)); // one op for all blocks
    return u;
  }

  private block(h: tf.Tensor, u: {[k: string]: tf.Tensor[]}, l: number): tf.Tensor {
    let z = tf.add(tf.relu(tf.add(h, u.b1[l])), u.b2[l]);
    z = tf.add(tf.matMul(z, u.W1[l]), u.c1[l]);
    z = tf.add(tf.relu(tf.add(z, u.b3[l])), u.b4[l]);
    z = tf.add(tf.matMul(z, u.W2[l]), u.c2[l]);
    return tf.add(h, tf.mul(z, u.gate[l]));
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
    const names = Object.keys(this.vars);
    const out = tf.tidy(() => {
      const r = batchedLossAndGrads(() => this.losses(x, y), this.variables);
      const kept = r.lossVec;
      const grads: tf.NamedTensorMap = {};
      const sq: tf.Tensor[] = [];
      for (const k of names) {
        const v = this.vars[k];
        let g = r.grads[v.name];
        if (this.masks[k]) g = tf.mul(g, this.masks[k]);
        grads[v.name] = g;
        sq.push(tf.sum(tf.square(g), [0, 2, 3]));
      }
      opt.applyGradients(grads);
      return tf.concat([kept, tf.sqrt(tf.addN(sq))]);
    });
    const s = out.dataSync() as Float32Array;
    out.dispose();
    return {loss: s.slice(0, this.M), gradNorm: s.slice(this.M)};
  }

  dispose(): void {
    tf.dispose([...this.variables, ...Object.values(this.masks)]);
  }
}
