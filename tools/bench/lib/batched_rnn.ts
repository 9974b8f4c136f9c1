// M independent vanilla tanh RNNs (Elman) trained side by side in batched tensors, each with its own
// gradient transform: none, global-norm clipping (grad-clip's rule g·min(1, c/(‖g‖+1e-6)) with ‖g‖
// over that model's gradients) or AGC (grad-clip's adaptiveClip rule per model: unit-wise
// ‖g‖ ≤ λ·max(‖w‖, 1e-3) per output unit; 1-D parameters as a whole). The optimizer is any
// element-wise tf.Optimizer (SGD, momentum, Adam), which on [M, ...] variables is M independent ones.
import * as tf from '@tensorflow/tfjs-core';
import {batchedLossAndGrads, modelAxes, perModelSumSquares} from './batched_grads';
import {unstackTree} from './unstack';

export type ClipMode = 'none' | 'clip' | 'agc';

export class BatchedRnn {
  readonly M: number;
  readonly W: tf.Variable;
  readonly U: tf.Variable;
  readonly b: tf.Variable;
  readonly V: tf.Variable;
  readonly c: tf.Variable;
  /** unbatched rank of each variable (for AGC's unit axes) */
  private readonly ranks: number[] = [2, 2, 1, 2, 1];

  constructor(readonly o: {models: {seed: number; mode: ClipMode}[]; hidden: number; clip: number; agcFactor: number}) {
    const H = o.hidden;
    this.M = o.models.length;
    // W, V ~ N(0, 1/fan_in); U ~ N(0, 1/H) (spectral radius ≈ 1, Pascanu et al.'s regime); biases 0.
    const draw = (shape: number[], std: number, k: number) =>
      tf.tidy(() => tf.stack(o.models.map((m) => tf.randomNormal(shape, 0, std, 'float32', m.seed * 101 + k))));
    this.W = tf.variable(draw([2, H], 1 / Math.sqrt(2), 1));
    this.U = tf.variable(draw([H, H], 1 / Math.sqrt(H), 2));
    this.b = tf.variable(tf.zeros([this.M, 1, H]));
    this.V = tf.variable(draw([H, 1], 1 / Math.sqrt(H), 3));
    this.c = tf.variable(tf.zeros([this.M, 1, 1]));
  }

  get variables(): tf.Variable[] {
    return [this.W, this.U, this.b, this.V, this.c];
  }

  /** Predictions [M, B, 1] for x [B, T, 2]. */
  predict(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [B, T] = x.shape;
      const H = this.o.hidden;
      const x2 = tf.tile(tf.expandDims(tf.reshape(x, [B * T, 2]), 0), [this.M, 1, 1]);
      const xw = tf.reshape(tf.add(tf.matMul(x2, this.W), this.b), [this.M, B, T, H]);
      // time-major, then a tree unstack: tf.unstack(xw, 2) copied all of xw once per time step on wasm
      const steps = unstackTree(tf.transpose(xw, [2, 0, 1, 3]));
      let h: tf.Tensor = tf.tanh(steps[0]);
      for (let t = 1; t < T; t++) h = tf.tanh(tf.add(steps[t], tf.matMul(h, this.U)));
      return tf.add(tf.matMul(h, this.V), this.c);
    });
  }

  /** MSE of each model, [M]. */
  losses(x: tf.Tensor, y: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.mean(tf.squaredDifference(this.predict(x), tf.reshape(y, [1, -1, 1])), [1, 2]) as tf.Tensor1D);
  }

  /** One optimizer step of every model; returns each model's loss and gradient norm (before clipping). */
  step(x: tf.Tensor, y: tf.Tensor, opt: tf.Optimizer): {loss: Float32Array; gradNorm: Float32Array} {
    const vars = this.variables;
    const modes = this.o.models.map((m) => m.mode);
    const out = tf.tidy(() => {
      const r = batchedLossAndGrads(() => this.losses(x, y), vars);
      const kept = r.lossVec;
      const g = vars.map((v) => r.grads[v.name]);
      const normSq = perModelSumSquares(g);
      const norm = tf.sqrt(normSq);
      const isClip = tf.tensor1d(modes.map((m) => (m === 'clip' ? 1 : 0)), 'bool');
      const isAgc = tf.tensor1d(modes.map((m) => (m === 'agc' ? 1 : 0)), 'bool');
      const globalScale = tf.where(isClip, tf.minimum(1, tf.div(this.o.clip, tf.add(norm, 1e-6))), tf.onesLike(norm));
      const transformed: tf.NamedTensorMap = {};
      vars.forEach((v, i) => {
        const shape = [this.M, ...v.shape.slice(1).map(() => 1)];
        const gi = g[i];
        // AGC: unit = last axis of the unbatched parameter, reduce the others; 1-D parameters whole
        const unitAxes = this.ranks[i] <= 1 ? modelAxes(gi) : Array.from({length: this.ranks[i] - 1}, (_, k) => k + 1);
        const wn = tf.sqrt(tf.sum(tf.square(v), unitAxes, true));
        const gn = tf.sqrt(tf.sum(tf.square(gi), unitAxes, true));
        const maxN = tf.mul(tf.maximum(wn, 1e-3), this.o.agcFactor);
        const agc = tf.where(tf.less(gn, maxN), tf.onesLike(gn), tf.div(maxN, tf.maximum(gn, 1e-6)));
        const agcSel = tf.where(tf.reshape(isAgc, [this.M, ...wn.shape.slice(1).map(() => 1)]).broadcastTo(agc.shape), agc, tf.onesLike(agc));
        transformed[v.name] = tf.mul(tf.mul(gi, tf.reshape(globalScale, shape)), agcSel);
      });
      opt.applyGradients(transformed);
      return tf.concat([kept, norm]);
    });
    const s = out.dataSync() as Float32Array;
    out.dispose();
    return {loss: s.slice(0, this.M), gradNorm: s.slice(this.M)};
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}
