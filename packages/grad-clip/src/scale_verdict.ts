import * as tf from '@tensorflow/tfjs-core';
import {checkOptions, show} from './validate';

/** Per-layer measurements a scale diagnosis starts from (kernels input side first). */
export interface ScaleMeasurements {
  /** per kernel: gradient norm at init, its median over the evaluations, weight norm */
  layers: {name: string; gradNormInit: number; gradNormMedian: number; weightNorm: number}[];
  /** global gradient norm of each evaluation */
  globals: number[];
  /** per-sample RMS norm of the input and each intermediate activation (may be empty) */
  activationNorms: number[];
  /** loss at init */
  loss: number;
  /** loss of a guessing model (ln C for softmax cross-entropy over C classes; NaN when unknown) */
  chanceLoss: number;
}

/** What {@link scaleVerdict} concludes. */
export interface ScaleVerdict {
  layers: ScaleMeasurements['layers'];
  activationNorms: number[];
  /** geometric-mean ratio of successive kernel-gradient norms, from the output towards the input */
  growthPerLayer: number;
  /** (‖last activation‖ / ‖input‖)^(1/layers); NaN without activations */
  forwardGrowthPerLayer: number;
  loss: number;
  chanceLoss: number;
  /** 90th percentile of the global gradient norms: a sensible clipping threshold */
  p90GradNorm: number;
  status: 'exploding' | 'vanishing' | 'non-finite' | 'healthy';
  /** every problem found, most serious first */
  findings: string[];
  /** one paragraph in plain language, with the fixes that apply */
  verdict: string;
}

/**
 * ‖t‖₂ computed as max|t|·‖t/max|t|‖, so that norms above ≈ 1.8e19 do not overflow float32 when
 * squared (the scaling trick of LAPACK's `snrm2`). A scalar tensor; the caller disposes it.
 * @param t any tensor (cast to float32)
 */
export function safeNorm(t: tf.Tensor): tf.Scalar {
  if (!(t instanceof tf.Tensor) || t.isDisposed) throw new Error(`safeNorm: t must be a live tf.Tensor, got ${show(t)}`);
  if (t.dtype === 'string') throw new Error(`safeNorm: t must be a numeric tensor, got ${show(t)}`);
  return tf.tidy(() => {
    const x = tf.cast(t, 'float32');
    const m = tf.max(tf.abs(x));
    const scale = tf.where(tf.greater(m, 0), m, tf.onesLike(m));
    return tf.mul(scale, tf.sqrt(tf.sum(tf.square(tf.div(x, scale))))) as tf.Scalar;
  });
}

/** The upper median of `a` (the element at index ⌊n/2⌋ once sorted); NaN when empty. */
export function upperMedian(a: number[]): number {
  if (!Array.isArray(a) || !a.every((v) => typeof v === 'number')) {
    throw new Error(`upperMedian: a must be an array of numbers, got ${show(a)}`);
  }
  return a.length ? [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)] : NaN;
}
const fmt = (v: number): string => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(2) : v.toFixed(2));

/** Thresholds of the verdict: forward growth per layer, loss × chance, backward growth per layer. */
const FORWARD_EXPLODES = 1.5;
const FORWARD_VANISHES = 0.67;
const LOSS_EXPLODES = 10;
const BACKWARD_EXPLODES = 1.2;
const BACKWARD_VANISHES = 0.8;

/**
 * Turns per-layer gradient norms and activation RMS norms into a scale diagnosis: backward
 * growth per layer g = geomean(‖∇W_{i−1}‖ / ‖∇W_i‖) from the output (> 1.2 exploding, < 0.8
 * vanishing), forward growth f = (‖a_L‖ / ‖a_0‖)^(1/L) (> 1.5 exploding, < 0.67 vanishing),
 * loss > 10× chance level, non-finite values; with the fixes that apply in plain words.
 * Thresholds follow Glorot & Bengio 2010 (http://proceedings.mlr.press/v9/glorot10a.html) and
 * He et al. 2015 (https://arxiv.org/abs/1502.01852): a well-initialised net keeps both ≈ 1.
 *
 * ```ts
 * const v = scaleVerdict({layers: [{name: 'a', gradNormInit: 1, gradNormMedian: 1, weightNorm: 1}],
 *   globals: [1], activationNorms: [], loss: 2.3, chanceLoss: Math.log(10)});
 * console.log(v.status); // healthy
 * ```
 * @param m the measurements (kernels input side first)
 */
export function scaleVerdict(m: ScaleMeasurements): ScaleVerdict {
  const {layers, globals, activationNorms: acts, loss, chanceLoss} = checkMeasurements(m);
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
  let status: ScaleVerdict['status'] = 'healthy';
  const worst = (s: ScaleVerdict['status']): void => {
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

/** Validates the measurements before any is read (a missing field would give a wrong verdict). */
function checkMeasurements(m: unknown): ScaleMeasurements {
  const fn = 'scaleVerdict';
  const o = checkOptions<Record<string, unknown>>(fn, m);
  if (m === undefined) throw new Error(`${fn}: m must be an object of measurements, got undefined`);
  const numbers = (name: string, minLength = 0): number[] => {
    const v = o[name];
    if (!Array.isArray(v) || v.length < minLength || !v.every((x) => typeof x === 'number')) {
      throw new Error(`${fn}: ${name} must be an array of numbers${minLength ? ` (at least ${minLength})` : ''}, got ${show(v)}`);
    }
    return v as number[];
  };
  numbers('globals');
  numbers('activationNorms');
  for (const k of ['loss', 'chanceLoss']) {
    if (typeof o[k] !== 'number') throw new Error(`${fn}: ${k} must be a number (NaN when unknown), got ${show(o[k])}`);
  }
  const layers = o.layers;
  if (!Array.isArray(layers)) throw new Error(`${fn}: layers must be an array of {name, gradNormInit, gradNormMedian, weightNorm}, got ${show(layers)}`);
  layers.forEach((l: unknown, i) => {
    const r = (l ?? {}) as Record<string, unknown>;
    if (l === null || typeof l !== 'object') throw new Error(`${fn}: layers[${i}] must be {name, gradNormInit, gradNormMedian, weightNorm}, got ${show(l)}`);
    if (typeof r.name !== 'string') throw new Error(`${fn}: layers[${i}].name must be a string, got ${show(r.name)}`);
    for (const k of ['gradNormInit', 'gradNormMedian', 'weightNorm']) {
      if (typeof r[k] !== 'number') throw new Error(`${fn}: layers[${i}].${k} must be a number, got ${show(r[k])}`);
    }
  });
  return m as ScaleMeasurements;
}
