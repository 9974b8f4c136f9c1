// The rescue benchmark's scenarios: for each technique a naive configuration and the same
// configuration plus only that technique. Everything is built from the public API (stable-train's
// models and Trainer options, the technique packages); nothing here implements a technique.
// The success/failure criteria are fixed here, before any run (issue 21): see `CRITERIA`.
import * as tf from '@tensorflow/tfjs-core';
import {createClipper} from '@stable-train/grad-clip';
import {adam, linearRamp, sgd} from '@stable-train/lr-schedule';
import {l2} from '@stable-train/regularizers';
import {dense, mlp, residualMlp, seededInit, type Model} from '../../../packages/stable-train/src/models';
import type {TrainerOptions} from '../../../packages/stable-train/src/trainer';

/** What a scenario trains on. */
export type Task = 'mnist' | 'mnist-rows' | 'regression';

/** One variant: everything the Trainer gets, built from a seed. */
export interface Variant {
  name: string;
  role: 'naive' | 'rescued';
  /** One line: what differs from the naive variant. */
  what: string;
  /** The configuration as data: `buildVariant` turns it into Trainer options, rescue_torch.py into PyTorch. */
  spec: Spec;
}

/** A variant as plain data (handed to PyTorch as JSON). */
export interface Spec {
  model:
    | {kind: 'mlp'; depth: number; activation: 'relu' | 'sigmoid'; init: 'normal' | 'he_normal' | 'glorot_uniform'; std?: number; norm?: 'batch'}
    | {kind: 'resmlp'; blocks: number; norm: 'batch'}
    | {kind: 'irnn'; units: number}
    | {kind: 'linear'; d: number};
  optimizer: {kind: 'sgd'; lr: number; momentum?: number} | {kind: 'adam'; lr: number};
  loss?: 'mse';
  /** linear warm-up: lr·(startFactor + (1 − startFactor)·min(step, steps)/steps) */
  warmup?: {startFactor: number; steps: number};
  /** global-norm clipping threshold */
  clipNorm?: number;
  /** L2 penalty scale (Keras convention: scale·Σp²) */
  l2?: number;
}

/**
 * Trainer options for a spec, all from the public API: stable-train's models, lr-schedule's
 * PyTorch-exact `sgd`/`adam` and `linearRamp`, grad-clip's `createClipper`, regularizers' `l2`.
 */
export function buildVariant(spec: Spec, seed: number): Omit<TrainerOptions, 'logEvery' | 'layerMetrics' | 'guard' | 'seed'> {
  const m = spec.model;
  let model: Model;
  if (m.kind === 'mlp') {
    const kernelInit = m.init === 'normal' ? {name: 'normal', std: m.std} : m.init;
    model = mlp({inputs: 784, hidden: hidden(m.depth), outputs: 10, activation: m.activation, kernelInit, norm: m.norm, seed});
  } else if (m.kind === 'resmlp') {
    model = residualMlp({inputs: 784, width: WIDTH, depth: m.blocks, outputs: 10, norm: m.norm, gate: 'none', kernelInit: 'he_normal', seed});
  } else if (m.kind === 'irnn') model = irnn({inputs: 28, units: m.units, outputs: 10, seed});
  else model = linear(m.d);
  const o = spec.optimizer;
  const optimizer = o.kind === 'sgd' ? sgd({lr: o.lr, momentum: o.momentum ?? 0}) : adam({lr: o.lr});
  return {
    model, optimizer, loss: spec.loss ?? 'softmax_cross_entropy',
    ...(spec.warmup ? {schedule: linearRamp({initial: o.lr, startFactor: spec.warmup.startFactor, endFactor: 1, steps: spec.warmup.steps})} : {}),
    ...(spec.clipNorm ? {transforms: [createClipper({mode: 'global_norm', maxNorm: spec.clipNorm})]} : {}),
    ...(spec.l2 ? {penalties: [l2(spec.l2)]} : {}),
  };
}

export interface Scenario {
  name: string;
  technique: string;
  /** One sentence: what the technique rescues here (the demo and README quote it). */
  rescues: string;
  task: Task;
  steps: number;
  quickSteps: number;
  batch: number;
  /** Model and training settings shared by every variant, in words. */
  setup: string;
  /** Paper the case comes from. */
  reference: string;
  variants: Variant[];
}

/**
 * Verdicts, fixed before running (issue 21: no tuning after the fact).
 * Classification (MNIST, 10 classes, chance 0.1): FAIL = a non-finite loss at any step, or test
 * accuracy < 0.3; OK = every loss finite and test accuracy >= 0.5. Regression: FAIL = non-finite
 * or test MSE >= the MSE of predicting 0; OK = finite and test MSE < that baseline. In between = neither.
 */
export const CRITERIA = {
  classification: {failBelow: 0.3, okAtLeast: 0.5, text: 'fail: non-finite loss or test accuracy < 0.3 (chance 0.1); ok: finite and test accuracy ≥ 0.5'},
  regression: {text: 'fail: non-finite loss or test MSE ≥ MSE of predicting 0; ok: finite and test MSE < MSE of predicting 0'},
};

/** 'fail' | 'ok' | 'neither' for a finished run. */
export function verdict(task: Task, metric: number, nonfinite: boolean, baseline?: number): 'fail' | 'ok' | 'neither' {
  if (nonfinite || !Number.isFinite(metric)) return 'fail';
  if (task === 'regression') return metric < baseline! ? 'ok' : 'fail';
  if (metric < CRITERIA.classification.failBelow) return 'fail';
  return metric >= CRITERIA.classification.okAtLeast ? 'ok' : 'neither';
}

const WIDTH = 64;
const hidden = (n: number) => new Array(n).fill(WIDTH);

/**
 * An IRNN (Le, Jaitly & Hinton 2015, https://arxiv.org/abs/1504.00941): `h_t = relu(x_t·W + h_{t−1}·U + b)`,
 * U = identity (initializers' `identity`), W Glorot-uniform, linear head on the last state. Inputs `[N, 28, 28]`
 * (MNIST row by row). A model, not a technique: the technique under test is the clipping.
 */
export function irnn(o: {inputs: number; units: number; outputs: number; seed: number}): Model {
  const w = tf.variable(seededInit('glorot_uniform', o.seed)([o.inputs, o.units]), true, 'irnn/kernel');
  const u = tf.variable(seededInit('identity', 0)([o.units, o.units]), true, 'irnn/recurrent_kernel');
  const b = tf.variable(tf.zeros([o.units]), true, 'irnn/bias');
  const head = dense({inUnits: o.units, units: o.outputs, name: 'irnn/head', kernelInit: seededInit('glorot_uniform', o.seed + 1)});
  const vars = [w, u, b, ...head.variables];
  return {
    name: 'irnn', inputShape: [28, o.inputs], variables: vars,
    apply: (x) => tf.tidy(() => {
      let h: tf.Tensor = tf.zeros([x.shape[0], o.units]);
      for (const xt of tf.unstack(x, 1)) h = tf.relu(tf.add(tf.add(tf.matMul(xt, w), tf.matMul(h, u)), b));
      return head.apply(h);
    }),
    dispose: () => tf.dispose(vars),
  };
}

/** Regression model: one bias-free linear layer, zero init (gradient descent then ends at the minimum-norm interpolant). */
function linear(d: number): Model {
  const k = dense({inUnits: d, units: 1, name: 'linear', kernelInit: (s) => tf.zeros(s), useBias: false});
  return {name: 'linear', inputShape: [d], variables: k.variables, apply: (x) => k.apply(x), dispose: () => k.dispose()};
}

export const REG = {d: 100, n: 90, nTest: 1000, noise: 0.5};

/** Settings chosen with short PyTorch trials (2 seeds) before the benchmark's runs; see docs/results/rescue.md. */
const CLIP_LR = 0.05;
const WARM_LR = 1.0;
const SIG_DEPTH = 6;
const ADAM_LR = 0.01;
const sgdM = (lr: number) => ({kind: 'sgd' as const, lr, momentum: 0.9});
const relu = (depth: number, init: 'normal' | 'he_normal', std?: number, norm?: 'batch') => ({kind: 'mlp' as const, depth, activation: 'relu' as const, init, std, norm});

export const SCENARIOS: Scenario[] = [
  {
    name: 'clipping', technique: 'gradient clipping', task: 'mnist-rows', steps: 200, quickSteps: 60, batch: 32,
    rescues: 'global-norm clipping keeps an IRNN on row-by-row MNIST from blowing up at a high SGD learning rate',
    setup: `IRNN (ReLU, identity recurrent init, Glorot input kernel) with 64 units on MNIST row by row (28 steps of 28 pixels), plain SGD lr ${CLIP_LR}, batch 32`,
    reference: 'Pascanu et al. 2013; Le et al. 2015',
    variants: [
      {name: 'no clipping', role: 'naive', what: 'SGD only', spec: {model: {kind: 'irnn', units: 64}, optimizer: {kind: 'sgd', lr: CLIP_LR}}},
      {name: 'clip global norm 1', role: 'rescued', what: "+ createClipper({mode: 'global_norm', maxNorm: 1})",
        spec: {model: {kind: 'irnn', units: 64}, optimizer: {kind: 'sgd', lr: CLIP_LR}, clipNorm: 1}},
    ],
  },
  {
    name: 'init', technique: 'initialization (He)', task: 'mnist', steps: 300, quickSteps: 80, batch: 64,
    rescues: 'He init lets a 20-layer plain ReLU MLP train where N(0, 0.01²) vanishes (stuck at chance) and N(0, 1) explodes (NaN)',
    setup: '20 hidden ReLU layers of 64, no norm, SGD momentum 0.9 lr 0.01, batch 64',
    reference: 'He et al. 2015',
    variants: [
      {name: 'N(0, 0.01²)', role: 'naive', what: 'small Gaussian (vanishing)', spec: {model: relu(20, 'normal', 0.01), optimizer: sgdM(0.01)}},
      {name: 'N(0, 1)', role: 'naive', what: 'unit Gaussian (exploding)', spec: {model: relu(20, 'normal', 1), optimizer: sgdM(0.01)}},
      {name: 'He normal', role: 'rescued', what: 'initializers heNormal', spec: {model: relu(20, 'he_normal'), optimizer: sgdM(0.01)}},
    ],
  },
  {
    name: 'normalization', technique: 'batch normalization', task: 'mnist', steps: 300, quickSteps: 80, batch: 64,
    rescues: 'batch norm lets a 20-layer ReLU MLP train at an SGD learning rate (0.3) where the plain net diverges',
    setup: '20 hidden ReLU layers of 64, He-normal init, SGD momentum 0.9 lr 0.3, batch 64',
    reference: 'Ioffe & Szegedy 2015',
    variants: [
      {name: 'no norm', role: 'naive', what: 'plain', spec: {model: relu(20, 'he_normal'), optimizer: sgdM(0.3)}},
      {name: 'batch norm', role: 'rescued', what: '+ BatchNorm before each ReLU', spec: {model: relu(20, 'he_normal', undefined, 'batch'), optimizer: sgdM(0.3)}},
    ],
  },
  {
    name: 'warmup', technique: 'lr warm-up', task: 'mnist', steps: 300, quickSteps: 80, batch: 64,
    rescues: `a linear warm-up over the first 100 steps lets a batch-normalised 20-layer MLP start at a very large lr (${WARM_LR}) that fails when applied from step 0`,
    setup: `20 hidden ReLU layers of 64 with batch norm, He-normal init, SGD momentum 0.9 lr ${WARM_LR}, batch 64`,
    reference: 'Goyal et al. 2017',
    variants: [
      {name: 'constant lr', role: 'naive', what: 'full lr from step 0', spec: {model: relu(20, 'he_normal', undefined, 'batch'), optimizer: sgdM(WARM_LR)}},
      {name: 'linear warm-up 100', role: 'rescued', what: '+ schedule linearRamp(0.01·lr → lr over 100 steps)',
        spec: {model: relu(20, 'he_normal', undefined, 'batch'), optimizer: sgdM(WARM_LR), warmup: {startFactor: 0.01, steps: 100}}},
    ],
  },
  {
    name: 'adaptive', technique: 'adaptive optimizer (Adam)', task: 'mnist', steps: 300, quickSteps: 80, batch: 64,
    rescues: `Adam moves a ${SIG_DEPTH}-layer sigmoid MLP off chance where SGD with momentum stays stuck`,
    setup: `${SIG_DEPTH} hidden sigmoid layers of 64, Glorot-uniform init, batch 64`,
    reference: 'Kingma & Ba 2015; Glorot & Bengio 2010',
    variants: [
      {name: 'SGD momentum 0.9 lr 0.01', role: 'naive', what: 'SGD with momentum',
        spec: {model: {kind: 'mlp', depth: SIG_DEPTH, activation: 'sigmoid', init: 'glorot_uniform'}, optimizer: sgdM(0.01)}},
      {name: `Adam lr ${ADAM_LR}`, role: 'rescued', what: 'Adam instead of SGD',
        spec: {model: {kind: 'mlp', depth: SIG_DEPTH, activation: 'sigmoid', init: 'glorot_uniform'}, optimizer: {kind: 'adam', lr: ADAM_LR}}},
    ],
  },
  {
    name: 'regularization', technique: 'regularization (L2)', task: 'regression', steps: 1000, quickSteps: 300, batch: REG.n,
    rescues: 'an L2 penalty keeps the test error of least squares at the interpolation threshold (n ≈ d, noisy labels) below the trivial baseline',
    setup: `linear regression, d = ${REG.d} features, n = ${REG.n} noisy samples (σ = ${REG.noise}), full batch, SGD momentum 0.9 lr 0.1, zero init`,
    reference: 'Nakkiran et al. 2020 (double descent); Hastie et al. 2019',
    variants: [
      {name: 'no penalty', role: 'naive', what: 'plain least squares', spec: {model: {kind: 'linear', d: REG.d}, optimizer: sgdM(0.1), loss: 'mse'}},
      {name: 'L2 0.05', role: 'rescued', what: '+ penalties [l2(0.05)]', spec: {model: {kind: 'linear', d: REG.d}, optimizer: sgdM(0.1), loss: 'mse', l2: 0.05}},
    ],
  },
  {
    name: 'residual', technique: 'residual connections', task: 'mnist', steps: 200, quickSteps: 80, batch: 64,
    rescues: 'identity skips let a 50-layer batch-normalised MLP learn where the same layers stacked plainly stay near chance',
    setup: '50 dense layers of 64 with batch norm and ReLU, He-normal init, SGD momentum 0.9 lr 0.01, batch 64',
    reference: 'He et al. 2016',
    variants: [
      {name: 'plain, 49 hidden', role: 'naive', what: 'dense→BN→ReLU × 49, head', spec: {model: relu(49, 'he_normal', undefined, 'batch'), optimizer: sgdM(0.01)}},
      {name: 'residual, 24 blocks', role: 'rescued', what: 'stem, 24 × (x + dense(ReLU(BN(dense(ReLU(BN(x))))))), ReLU, head',
        spec: {model: {kind: 'resmlp', blocks: 24, norm: 'batch'}, optimizer: sgdM(0.01)}},
    ],
  },
];
