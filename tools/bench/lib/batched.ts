// M independent plain MLPs trained side by side in one set of batched tensors (weights [M, in, out]),
// so a stability sweep over (lr × seed) costs about one run per cell row instead of M: at width 32
// the step time is per-op overhead, not arithmetic. Each model has its own lr, clipping, guard and
// decay; the models never interact (the summed loss has a block-diagonal gradient).
//
// The per-model techniques are the packages' formulas, applied per model: initializers from
// @stable-train/initializers (one draw per model), layerNorm from @stable-train/batchnorm, the
// multiplier of an lr-schedule Schedule, grad-clip's global-norm rule g·min(1, c/(‖g‖+1e-6)) with
// ‖g‖ per model, the explosion guard of stable-train (one ExplosionGuard per model, judging each
// model's loss and gradient norm), and decoupled decay p·(1 − lr·rate) on kernels (regularizers'
// default mask excludes biases and norm parameters).
import * as tf from '@tensorflow/tfjs-core';
import {layerNorm} from '@stable-train/batchnorm';
import {ExplosionGuard, type GuardOptions} from '../../../packages/stable-train/src/guard';
import {batchedLossAndGrads, modelAxes, perModelSumSquares} from './batched_grads';
import type {KernelInit} from './nets';

export interface BatchedOptions {
  /** one entry per model: its seed (init draw) and learning rate */
  models: {seed: number; lr: number}[];
  inDim: number;
  width: number;
  depth: number;
  outDim: number;
  activation: 'relu' | 'tanh';
  init: KernelInit;
  layerNorm?: boolean;
  /** global-norm clipping threshold per model */
  clip?: number;
  /** lr multiplier by step (an lr-schedule Schedule with peak 1) */
  schedule?: (step: number) => number;
  decay?: number;
  guard?: GuardOptions;
}

export class BatchedMlp {
  readonly M: number;
  readonly kernels: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];
  readonly gammas: tf.Variable[] = [];
  readonly betas: tf.Variable[] = [];
  readonly guards: ExplosionGuard[];
  private readonly lrs: number[];
  private readonly lnOnes: tf.Tensor | null;
  private readonly lnZeros: tf.Tensor | null;
  step_ = 0;

  constructor(readonly o: BatchedOptions) {
    this.M = o.models.length;
    this.lrs = o.models.map((m) => m.lr);
    const dims = [o.inDim, ...Array(o.depth).fill(o.width), o.outDim];
    for (let i = 0; i + 1 < dims.length; i++) {
      this.kernels.push(tf.tidy(() => tf.variable(tf.stack(o.models.map((m) => o.init([dims[i], dims[i + 1]], {seed: m.seed * 1009 + i}))))));
      this.biases.push(tf.variable(tf.zeros([this.M, 1, dims[i + 1]])));
      if (o.layerNorm && i + 2 < dims.length) {
        this.gammas.push(tf.variable(tf.ones([this.M, 1, dims[i + 1]])));
        this.betas.push(tf.variable(tf.zeros([this.M, 1, dims[i + 1]])));
      }
    }
    this.lnOnes = o.layerNorm ? tf.ones([o.width]) : null;
    this.lnZeros = o.layerNorm ? tf.zeros([o.width]) : null;
    this.guards = o.models.map(() => new ExplosionGuard(o.guard ?? {policy: 'off'}));
  }

  get variables(): tf.Variable[] {
    return [...this.kernels, ...this.biases, ...this.gammas, ...this.betas];
  }

  /** Logits [M, B, C] for inputs x [B, in] (the same batch for every model). */
  logits(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const act = this.o.activation === 'relu' ? tf.relu : tf.tanh;
      let h: tf.Tensor = tf.tile(tf.expandDims(x, 0), [this.M, 1, 1]);
      const L = this.kernels.length;
      for (let i = 0; i < L; i++) {
        h = tf.add(tf.matMul(h, this.kernels[i]), this.biases[i]);
        if (i + 1 < L) {
          if (this.o.layerNorm) h = tf.add(tf.mul(layerNorm(h, this.lnOnes!, this.lnZeros!, 1e-5), this.gammas[i]), this.betas[i]);
          h = act(h);
        }
      }
      return h;
    });
  }

  /** Softmax cross-entropy of each model, [M]. */
  losses(x: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const z = this.logits(x);
      const logp = tf.sub(z, tf.logSumExp(z, -1, true));
      const mask = tf.oneHot(y as tf.Tensor1D, z.shape[2]!).toFloat();
      return tf.div(tf.neg(tf.sum(tf.mul(logp, mask), [1, 2])), x.shape[0]) as tf.Tensor1D;
    });
  }

  /**
   * Per model: are all its gradients finite; for those that are, writes the scaled norm
   * m·sqrt(Σ(g/m)²), m = max|g|, into `gradNorm` (one more host read).
   */
  private probeGrads(grads: tf.Tensor[], gradNorm: Float32Array): boolean[] {
    const M = this.M;
    const d = tf.tidy(() => {
      const rest = modelAxes;
      const finite = tf.stack(grads.map((g) => tf.all(tf.isFinite(g), rest(g)))); // [V, M]
      const allFinite = tf.all(finite, 0);
      const max = tf.max(tf.stack(grads.map((g) => tf.max(tf.abs(g), rest(g)))), 0); // [M]
      const scale = tf.where(tf.greater(max, 0), max, tf.onesLike(max));
      const ss = tf.addN(grads.map((g) => tf.sum(tf.square(tf.div(g, tf.reshape(scale, [M, ...g.shape.slice(1).map(() => 1)]))), rest(g))));
      return tf.concat([tf.cast(allFinite, 'float32'), tf.mul(scale, tf.sqrt(ss))]);
    });
    const v = d.dataSync();
    d.dispose();
    const fin = Array.from({length: M}, (_, m) => v[m] === 1);
    fin.forEach((f, m) => {
      if (f) gradNorm[m] = v[M + m];
    });
    return fin;
  }

  /** One SGD step of every model; returns each model's loss and gradient norm (one host read). */
  step(x: tf.Tensor, y: tf.Tensor): {loss: Float32Array; gradNorm: Float32Array; ok: boolean[]} {
    const vars = this.variables;
    const {grads, lossVec, normSq} = tf.tidy(() => {
      const r = batchedLossAndGrads(() => this.losses(x, y), vars);
      const g = vars.map((v) => r.grads[v.name]);
      return {grads: g, lossVec: r.lossVec, normSq: perModelSumSquares(g)};
    });
    const stats = tf.tidy(() => tf.concat([lossVec, normSq]));
    const s = stats.dataSync() as Float32Array;
    const loss = s.slice(0, this.M);
    const gradNorm = s.slice(this.M).map(Math.sqrt);
    // Σg² overflows float32 for finite gradients with ‖g‖ > ~1.8e19 (deep naive tanh nets): only
    // then (rare) look closer, as the Trainer does: which models are really non-finite, and their
    // norms measured with scaling.
    const gradFinite = gradNorm.some((n) => !Number.isFinite(n)) ? this.probeGrads(grads, gradNorm) : undefined;
    const step = this.step_++;
    const ok = this.guards.map((g, m) => (g.policy === 'off' ? true : !g.gaveUp && g.judge(step, {loss: loss[m], gradNorm: gradNorm[m], inputFinite: true, gradFinite: gradFinite?.[m]}).ok));
    const mult = this.o.schedule ? this.o.schedule(step) : 1;
    const lrEff = this.lrs.map((lr, m) => lr * mult * this.guards[m].lrScale);
    tf.tidy(() => {
      const okT = tf.tensor1d(ok.map((b) => (b ? 1 : 0)), 'float32');
      let coef: tf.Tensor = tf.mul(tf.tensor1d(lrEff), okT);
      if (this.o.clip) coef = tf.mul(coef, tf.minimum(1, tf.div(this.o.clip, tf.add(tf.sqrt(normSq), 1e-6))));
      const okB = tf.cast(okT, 'bool');
      vars.forEach((v, i) => {
        const shape = [this.M, ...v.shape.slice(1).map(() => 1)];
        let g = grads[i];
        // a skipped model's non-finite gradient must not reach its weights (0 · NaN = NaN)
        if (this.o.guard && this.o.guard.policy !== 'off') g = tf.where(tf.reshape(okB, shape).broadcastTo(g.shape), g, tf.zerosLike(g));
        let w: tf.Tensor = v;
        if (this.o.decay && this.kernels.includes(v)) w = tf.mul(w, tf.reshape(tf.sub(1, tf.mul(tf.mul(tf.tensor1d(lrEff), okT), this.o.decay)), shape));
        v.assign(tf.sub(w, tf.mul(tf.reshape(coef, shape), g)));
      });
    });
    tf.dispose([...grads, lossVec, normSq, stats]);
    return {loss, gradNorm, ok};
  }

  /** Per model: held-out loss and whether all its weights are finite. */
  evaluate(x: tf.Tensor, y: tf.Tensor): {loss: Float32Array; finite: boolean[]} {
    const l = this.losses(x, y);
    const fin = tf.tidy(() => tf.stack(this.variables.map((v) => tf.all(tf.isFinite(v), v.shape.slice(1).map((_, i) => i + 1)).toFloat())).min(0));
    const loss = l.dataSync() as Float32Array;
    const f = Array.from(fin.dataSync()).map((v) => v === 1);
    tf.dispose([l, fin]);
    return {loss: loss.slice(), finite: f};
  }

  dispose(): void {
    tf.dispose([...this.variables, ...[this.lnOnes, this.lnZeros].filter((t): t is tf.Tensor => t !== null)]);
  }
}
