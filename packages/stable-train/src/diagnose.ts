import * as tf from '@tensorflow/tfjs-core';
import {resolveLoss, type LossFn, type LossName} from './losses';
import type {Batch, Module} from './types';

/** What the doctor found. */
export interface Diagnosis {
  /** Per kernel (2-D+ trainable variable), input side first: gradient norms at init and their median over the steps. */
  layers: {name: string; gradNormInit: number; gradNormMedian: number; weightNorm: number}[];
  /** Per-sample RMS norm (‖a‖/√N) of the input and each intermediate activation at init (models with `trace`; else empty). */
  activationNorms: number[];
  /** Geometric-mean ratio of successive kernel-gradient norms, from the output towards the input. */
  growthPerLayer: number;
  /**
   * Forward growth per layer: (‖output‖ / ‖input‖)^(1/layers) over the traced activations, one
   * layer per kernel (NaN when the model has no `trace`). Above ≈ 1.5 the forward pass explodes.
   */
  forwardGrowthPerLayer: number;
  /** Loss on the whole batch at init. */
  loss: number;
  /** The loss a guessing model would have (ln C for softmax cross-entropy over C classes; NaN otherwise). */
  chanceLoss: number;
  /** 90th percentile of the global gradient norm over the steps: a sensible clipping threshold. */
  p90GradNorm: number;
  /** `exploding`, `vanishing`, `non-finite` or `healthy`. */
  status: 'exploding' | 'vanishing' | 'non-finite' | 'healthy';
  /** Every problem found, one clause each, most serious first (the verdict joins them and adds the fixes). */
  findings: string[];
  /** One paragraph in plain language, with the fixes that apply. */
  verdict: string;
}

/**
 * The doctor: measures per-layer gradient and activation norms at init and over a few gradient
 * evaluations on `batch` (weights unchanged), the per-layer growth of the activations (forward)
 * and of the gradient norm (backward), the loss against chance level and non-finite values,
 * and says in plain words whether the network explodes or vanishes and what to do. The
 * forward check matters: a plain ReLU MLP with N(0, 1) init has near-constant weight-gradient
 * norms across layers (activations grow forward as fast as errors grow backward) while its
 * activations grow ≈ √(fan_in/2)× per layer and its loss is astronomical.
 *
 * ```ts
 * const d = await diagnose(model, {x, y});
 * console.log(d.status, d.verdict);
 * // exploding "activations grow 3.7× per layer (…): exploding forward pass; use He/Glorot init …"
 * ```
 * @param model any module of the DESIGN.md shape (models with `trace` also get activation norms)
 * @param batch a representative batch
 * @param opts `steps` (gradient evaluations on random halves of the batch, default 5), `loss`
 */
export async function diagnose(model: Module, batch: Batch, opts: {steps?: number; loss?: LossName | LossFn} = {}): Promise<Diagnosis> {
  const steps = opts.steps ?? 5;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`diagnose: steps must be an integer >= 1, got ${steps}`);
  if (!batch || !(batch.x instanceof tf.Tensor)) throw new Error('diagnose: batch must be {x, y} tensors');
  const lossName = opts.loss ?? 'softmax_cross_entropy';
  const loss = resolveLoss(lossName);
  const kernels = model.variables.filter((v) => v.trainable && v.rank >= 2);
  if (kernels.length === 0) throw new Error('diagnose: the model has no trainable kernels');
  const n = batch.x.shape[0];
  const perStep: number[][] = [];
  const globals: number[] = [];
  let loss0 = NaN;
  let classes = 0;
  for (let s = 0; s < steps; s++) {
    const norms = tf.tidy(() => {
      // step 0 uses the whole batch; later ones a rotating half, to see the spread
      const half = Math.max(1, Math.floor(n / 2));
      const start = s === 0 ? 0 : (s * 7) % Math.max(1, n - half + 1);
      const size = s === 0 ? n : half;
      const x = tf.slice(batch.x, start, size);
      const y = tf.slice(batch.y, start, size);
      const {value, grads} = tf.variableGrads(() => {
        const out = model.apply(x, {training: true});
        classes = out.shape[out.shape.length - 1] ?? 0;
        return loss(y, out);
      }, model.variables.filter((v) => v.trainable));
      const all = safeNorm(tf.stack(Object.values(grads).map((g) => safeNorm(g))));
      return tf.stack([tf.cast(value, 'float32'), all, ...kernels.map((k) => safeNorm(grads[k.name]))]);
    });
    const d = Array.from(await norms.data());
    norms.dispose();
    if (s === 0) loss0 = d[0];
    globals.push(d[1]);
    perStep.push(d.slice(2));
  }
  const wn = tf.tidy(() => tf.stack(kernels.map((k) => safeNorm(k))));
  const weightNorms = Array.from(await wn.data());
  wn.dispose();
  let activationNorms: number[] = [];
  const traced = (model as {trace?: (x: tf.Tensor) => tf.Tensor[]}).trace;
  if (traced) {
    const rms = (a: tf.Tensor): tf.Tensor => tf.div(safeNorm(a), Math.sqrt(a.shape[0]));
    const t = tf.tidy(() => tf.stack([rms(batch.x), ...traced(batch.x).map(rms)]));
    activationNorms = Array.from(await t.data());
    t.dispose();
  }
  return verdictOf({
    layers: kernels.map((k, i) => ({name: k.name, gradNormInit: perStep[0][i], gradNormMedian: median(perStep.map((p) => p[i])), weightNorm: weightNorms[i]})),
    globals, activationNorms, loss: loss0,
    chanceLoss: lossName === 'softmax_cross_entropy' && classes > 1 ? Math.log(classes) : NaN,
  });
}

/** ‖t‖₂ computed as max|t|·‖t/max|t|‖ so that norms above ≈ 1.8e19 do not overflow float32 when squared. */
function safeNorm(t: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.cast(t, 'float32');
    const m = tf.max(tf.abs(x));
    const scale = tf.where(tf.greater(m, 0), m, tf.onesLike(m));
    return tf.mul(scale, tf.sqrt(tf.sum(tf.square(tf.div(x, scale))))) as tf.Scalar;
  });
}

const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const fmt = (v: number): string => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(2) : v.toFixed(2));

/** Thresholds of the verdict: forward growth per layer, loss × chance, backward growth per layer. */
const FORWARD_EXPLODES = 1.5;
const FORWARD_VANISHES = 0.67;
const LOSS_EXPLODES = 10;
const BACKWARD_EXPLODES = 1.2;
const BACKWARD_VANISHES = 0.8;

function verdictOf(m: {
  layers: Diagnosis['layers']; globals: number[]; activationNorms: number[]; loss: number; chanceLoss: number;
}): Diagnosis {
  const {layers, globals, activationNorms: acts, loss, chanceLoss} = m;
  const g = layers.map((l) => l.gradNormInit);
  const ratios: number[] = [];
  for (let i = g.length - 1; i > 0; i--) if (g[i] > 0 && g[i - 1] > 0 && Number.isFinite(g[i]) && Number.isFinite(g[i - 1])) ratios.push(g[i - 1] / g[i]);
  const growth = ratios.length ? Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length) : 1;
  const finiteGlobals = globals.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const p90 = finiteGlobals.length ? finiteGlobals[Math.min(finiteGlobals.length - 1, Math.floor(0.9 * finiteGlobals.length))] : NaN;
  // forward: input vs the last finite activation, one layer per kernel in between
  let fwd = NaN;
  let fwdFrom = NaN;
  let fwdTo = NaN;
  if (acts.length >= 2 && acts[0] > 0) {
    let last = acts.length - 1;
    while (last > 0 && !Number.isFinite(acts[last])) last--;
    const k = Math.max(1, Math.round((layers.length * last) / (acts.length - 1)));
    if (last > 0 && acts[last] > 0) {
      fwd = Math.pow(acts[last] / acts[0], 1 / k);
      fwdFrom = acts[0];
      fwdTo = acts[last];
    }
  }
  const nonFiniteActs = acts.some((a) => !Number.isFinite(a));
  const nonFinite = !Number.isFinite(loss) || g.some((v) => !Number.isFinite(v)) || globals.some((v) => !Number.isFinite(v)) || nonFiniteActs;
  const findings: string[] = [];
  const fixes: string[] = [];
  const fix = (f: string): void => {
    if (!fixes.includes(f)) fixes.push(f);
  };
  const INIT = 'use He/Glorot init (std sqrt(2/fan_in) for ReLU, sqrt(1/fan_in) for tanh) instead of N(0, 1)';
  const NORM = 'normalisation (batch/layer norm) or residual gates (ReZero/SkipInit)';
  const fwdText = Number.isFinite(fwd) ? `activations grow ${fmt(fwd)}× per layer (RMS ${fmt(fwdFrom)} at the input, ${fmt(fwdTo)} at the output)` : '';
  const lossText = Number.isFinite(chanceLoss) ? `the loss at init is ${fmt(loss)}, ${fmt(loss / chanceLoss)}× chance level ln C = ${fmt(chanceLoss)}` : `the loss at init is ${fmt(loss)}`;
  let status: Diagnosis['status'] = 'healthy';
  const worst = (s: Diagnosis['status']): void => {
    if (status === 'healthy') status = s;
  };
  if (nonFinite) {
    status = 'non-finite';
    findings.push(`${nonFiniteActs ? 'activations overflow to Infinity/NaN' : !Number.isFinite(loss) ? `the loss is ${loss}` : 'gradients are NaN or Infinity'} already at init`);
    fix(INIT);
    fix(NORM);
    fix('keep the explosion guard on');
  }
  if (fwd > FORWARD_EXPLODES) {
    worst('exploding');
    findings.push(`${fwdText}: exploding forward pass`);
    fix(INIT);
    fix(NORM);
  } else if (fwd < FORWARD_VANISHES) {
    worst('vanishing');
    findings.push(`${fwdText.replace('grow', 'shrink to')}: vanishing forward pass`);
    fix('use He init for ReLU (Glorot for tanh)');
    fix('normalisation (batch/layer norm)');
  }
  if (Number.isFinite(chanceLoss) && loss > LOSS_EXPLODES * chanceLoss) {
    worst('exploding');
    findings.push(`${lossText}: the logits are far too large`);
    fix(INIT);
    fix(NORM);
  }
  if (!nonFinite && growth > BACKWARD_EXPLODES) {
    worst('exploding');
    findings.push(`gradient norm grows ${fmt(growth)}× per layer from the output (input layer ${fmt(g[0])} vs output ${fmt(g[g.length - 1])}): exploding`);
    fix('use He init');
    fix('residual gates (ReZero/SkipInit) or normalisation');
    if (Number.isFinite(p90)) fix(`clip the global norm at ≈ the p90 norm ${fmt(p90)}`);
  } else if (!nonFinite && (growth < BACKWARD_VANISHES || g[0] < 1e-3 * g[g.length - 1])) {
    worst('vanishing');
    findings.push(`gradient norm shrinks to ${fmt(growth)}× per layer from the output (input layer ${fmt(g[0])} vs output ${fmt(g[g.length - 1])}): vanishing`);
    fix('use He init for ReLU (Glorot for tanh)');
    fix('residual connections or normalisation (batch/layer norm)');
    fix('warm the lr up');
  }
  const verdict = findings.length ? `${findings.join('; ')}; ${fixes.join(', ')}.`
    : `healthy: ${Number.isFinite(fwd) ? `activations change ${fmt(fwd)}× per layer, ` : ''}gradient norm changes ${fmt(growth)}× per layer; ` +
      `${lossText}; global norm p90 ${fmt(p90)} (a reasonable clipping threshold).`;
  return {layers, activationNorms: acts, growthPerLayer: growth, forwardGrowthPerLayer: fwd, loss, chanceLoss, p90GradNorm: p90, status, findings, verdict};
}
