// Small experiment-specific networks and synthetic data for the stability benchmarks, built from
// tfjs-core and the technique packages. (The umbrella's `src/models` / `src/data` had not landed
// when these were written; these stay deliberately minimal and fixed so results are comparable.)
import * as tf from '@tensorflow/tfjs-core';
import {createRng} from '../../../packages/stable-train/src/rng';
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

/**
 * Vanilla (Elman) tanh RNN for sequences `[N, T, inDim]`: h_t = tanh(x_t W + h_{t-1} U + b),
 * prediction = h_T V + c (one output per sequence). Unrolled over T with plain ops.
 * Weights: W, V ~ N(0, 1/fan_in)·scale; U ~ N(0, wScale²/hidden) (spectral radius ≈ wScale).
 */
export function tanhRnn(o: {inDim: number; hidden: number; outDim: number; seed: number; recurrentScale?: number}): Net & {T?: number} {
  const name = freshName('rnn');
  const rs = o.recurrentScale ?? 1;
  const W = tf.variable(tf.randomNormal([o.inDim, o.hidden], 0, 1 / Math.sqrt(o.inDim), 'float32', o.seed * 7 + 1), true, `${name}/W`);
  const U = tf.variable(tf.randomNormal([o.hidden, o.hidden], 0, rs / Math.sqrt(o.hidden), 'float32', o.seed * 7 + 2), true, `${name}/U`);
  const b = tf.variable(tf.zeros([o.hidden]), true, `${name}/b`);
  const V = tf.variable(tf.randomNormal([o.hidden, o.outDim], 0, 1 / Math.sqrt(o.hidden), 'float32', o.seed * 7 + 3), true, `${name}/V`);
  const c = tf.variable(tf.zeros([o.outDim]), true, `${name}/c`);
  return {
    inputShape: [],
    variables: [W, U, b, V, c],
    apply(x: tf.Tensor) {
      return tf.tidy(() => {
        const [n, T] = x.shape;
        // Input projections of all steps in one GEMM: [N·T, in] × [in, H].
        const xw = tf.reshape(tf.matMul(tf.reshape(x, [n * T, o.inDim]), W), [n, T, o.hidden]);
        const steps = tf.unstack(xw, 1);
        let h: tf.Tensor = tf.zeros([n, o.hidden]);
        for (let t = 0; t < T; t++) h = tf.tanh(tf.add(tf.add(steps[t], tf.matMul(h, U)), b));
        return tf.add(tf.matMul(h, V), c);
      });
    },
    dispose() {
      tf.dispose([W, U, b, V, c]);
    },
  };
}

/** Teacher–student classification: x ~ N(0, 1)^d, label = argmax(x · T) for a random teacher T. */
export function teacherData(o: {n: number; inDim: number; classes: number; seed: number}): {x: Float32Array; y: Int32Array} {
  const rng = createRng(o.seed);
  const T = new Float32Array(o.inDim * o.classes).map(() => rng.normal());
  const x = new Float32Array(o.n * o.inDim).map(() => rng.normal());
  const y = new Int32Array(o.n);
  for (let i = 0; i < o.n; i++) {
    let best = -Infinity;
    for (let c = 0; c < o.classes; c++) {
      let s = 0;
      for (let j = 0; j < o.inDim; j++) s += x[i * o.inDim + j] * T[j * o.classes + c];
      if (s > best) {
        best = s;
        y[i] = c;
      }
    }
  }
  return {x, y};
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Pascanu et al. 2013): each step has a value
 * u ~ U(0, 1) and a marker; exactly two markers are 1, one in the first half and one in the second;
 * the target is the sum of the two marked values. Predicting 1 always gives MSE 1/6 ≈ 0.167.
 */
export function addingData(n: number, T: number, seed: number): {x: Float32Array; y: Float32Array} {
  const rng = createRng(seed);
  const x = new Float32Array(n * T * 2);
  const y = new Float32Array(n);
  const half = Math.floor(T / 2);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) x[(i * T + t) * 2] = rng.next();
    const a = rng.int(half);
    const b = half + rng.int(T - half);
    x[(i * T + a) * 2 + 1] = 1;
    x[(i * T + b) * 2 + 1] = 1;
    y[i] = x[(i * T + a) * 2] + x[(i * T + b) * 2];
  }
  return {x, y};
}

/** Rows `[i·b, (i+1)·b)` (cyclic) of a sample-major array as a tensor. */
export function sliceBatch(data: Float32Array | Int32Array, per: number, shape: number[], i: number, b: number, dtype: 'float32' | 'int32'): tf.Tensor {
  const n = data.length / per;
  const out = dtype === 'int32' ? new Int32Array(b * per) : new Float32Array(b * per);
  for (let k = 0; k < b; k++) {
    const r = (i * b + k) % n;
    out.set(data.subarray(r * per, (r + 1) * per), k * per);
  }
  return tf.tensor(out, [b, ...shape], dtype);
}

/** Whether every variable of `vars` is finite (one host read). */
export function allFinite(vars: tf.Variable[]): boolean {
  const ok = tf.tidy(() => tf.all(tf.stack(vars.map((v) => tf.all(tf.isFinite(v))))));
  const r = ok.dataSync()[0] === 1;
  ok.dispose();
  return r;
}
