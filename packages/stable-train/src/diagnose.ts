import * as tf from '@tensorflow/tfjs-core';
import {resolveLoss, type LossFn, type LossName} from './losses';
import type {Batch, Module} from './types';

/** What the doctor found. */
export interface Diagnosis {
  /** Per kernel (2-D+ trainable variable), input side first: gradient norms at init and their median over the steps. */
  layers: {name: string; gradNormInit: number; gradNormMedian: number; weightNorm: number}[];
  /** Norm of each intermediate activation at init (models with `trace`). */
  activationNorms: number[];
  /** Geometric-mean ratio of successive kernel-gradient norms, from the output towards the input. */
  growthPerLayer: number;
  /** 90th percentile of the global gradient norm over the steps: a sensible clipping threshold. */
  p90GradNorm: number;
  /** `exploding`, `vanishing`, `non-finite` or `healthy`. */
  status: 'exploding' | 'vanishing' | 'non-finite' | 'healthy';
  /** One paragraph in plain language, with the fixes that apply. */
  verdict: string;
}

/**
 * The doctor: measures per-layer gradient and activation norms at init and over a few gradient
 * evaluations on `batch` (weights unchanged), the per-layer growth factor of the gradient norm,
 * and says in plain words whether the network explodes or vanishes and what to do.
 *
 * ```ts
 * const d = await diagnose(model, {x, y});
 * console.log(d.verdict); // "gradient norm grows 1.9× per layer from the output: exploding; ..."
 * ```
 * @param model any module of the DESIGN.md shape
 * @param batch a representative batch
 * @param opts `steps` (gradient evaluations on random halves of the batch, default 5), `loss`
 */
export async function diagnose(model: Module, batch: Batch, opts: {steps?: number; loss?: LossName | LossFn} = {}): Promise<Diagnosis> {
  const steps = opts.steps ?? 5;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`diagnose: steps must be an integer >= 1, got ${steps}`);
  if (!batch || !(batch.x instanceof tf.Tensor)) throw new Error('diagnose: batch must be {x, y} tensors');
  const loss = resolveLoss(opts.loss ?? 'softmax_cross_entropy');
  const kernels = model.variables.filter((v) => v.trainable && v.rank >= 2);
  if (kernels.length === 0) throw new Error('diagnose: the model has no trainable kernels');
  const n = batch.x.shape[0];
  const perStep: number[][] = [];
  const globals: number[] = [];
  for (let s = 0; s < steps; s++) {
    const norms = tf.tidy(() => {
      // step 0 uses the whole batch; later ones a rotating half, to see the spread
      const half = Math.max(1, Math.floor(n / 2));
      const start = s === 0 ? 0 : (s * 7) % Math.max(1, n - half + 1);
      const size = s === 0 ? n : half;
      const x = tf.slice(batch.x, start, size);
      const y = tf.slice(batch.y, start, size);
      const {grads} = tf.variableGrads(() => loss(y, model.apply(x, {training: true})), model.variables.filter((v) => v.trainable));
      const all = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      return tf.stack([tf.sqrt(tf.addN(all)), ...kernels.map((k) => tf.norm(grads[k.name]))]);
    });
    const d = Array.from(await norms.data());
    norms.dispose();
    globals.push(d[0]);
    perStep.push(d.slice(1));
  }
  const wn = tf.tidy(() => tf.stack(kernels.map((k) => tf.norm(k))));
  const weightNorms = Array.from(await wn.data());
  wn.dispose();
  let activationNorms: number[] = [];
  const traced = (model as {trace?: (x: tf.Tensor) => tf.Tensor[]}).trace;
  if (traced) {
    const t = tf.tidy(() => tf.stack(traced(batch.x).map((a) => tf.div(tf.norm(a), Math.sqrt(a.shape[0])))));
    activationNorms = Array.from(await t.data());
    t.dispose();
  }
  const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const layers = kernels.map((k, i) => ({name: k.name, gradNormInit: perStep[0][i], gradNormMedian: median(perStep.map((p) => p[i])), weightNorm: weightNorms[i]}));
  const g = layers.map((l) => l.gradNormInit);
  const finite = g.every((v) => Number.isFinite(v)) && globals.every((v) => Number.isFinite(v));
  const ratios: number[] = [];
  for (let i = g.length - 1; i > 0; i--) if (g[i] > 0 && g[i - 1] > 0) ratios.push(g[i - 1] / g[i]);
  const growth = ratios.length ? Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length) : 1;
  const p90 = [...globals].sort((a, b) => a - b)[Math.min(globals.length - 1, Math.floor(0.9 * globals.length))];
  const fmt = (v: number): string => (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toFixed(2));
  let status: Diagnosis['status'] = 'healthy';
  let verdict: string;
  if (!finite) {
    status = 'non-finite';
    verdict = 'gradients are NaN or Infinity already at init (the forward pass overflows): ' +
      'use He/Glorot init instead of N(0, 1), add normalisation or residual gates (ReZero/SkipInit), and keep the explosion guard on.';
  } else if (growth > 1.2 || g[0] > 1e3 * Math.max(g[g.length - 1], 1e-30)) {
    status = 'exploding';
    verdict = `gradient norm grows ${fmt(growth)}× per layer from the output (input layer ${fmt(g[0])} vs output ${fmt(g[g.length - 1])}): exploding; ` +
      `use He init, residual gates (ReZero/SkipInit) or normalisation, and clip the global norm at ≈ the p90 norm ${fmt(p90)}.`;
  } else if (growth < 0.8 || g[0] < 1e-3 * g[g.length - 1]) {
    status = 'vanishing';
    verdict = `gradient norm shrinks to ${fmt(growth)}× per layer from the output (input layer ${fmt(g[0])} vs output ${fmt(g[g.length - 1])}): vanishing; ` +
      'use He init for ReLU (Glorot for tanh), residual connections, or normalisation (batch/layer norm); warm the lr up.';
  } else {
    verdict = `healthy: gradient norm changes ${fmt(growth)}× per layer; global norm p90 ${fmt(p90)} (a reasonable clipping threshold).`;
  }
  return {layers, activationNorms, growthPerLayer: growth, p90GradNorm: p90, status, verdict};
}
