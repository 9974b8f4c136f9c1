// Ablation of the demo recipe: `npx tsx tools/bench/ablation.ts [--quick] [--seeds 3] [--steps 250]
//   [--eval-every 25] [--variants full,no-gate,...]`
//
// The stabilised run of `stable-train demo` (packages/stable-train/src/cli/demo.ts: MNIST 8000/1700,
// residual MLP width 64 × 16 blocks with ReZero gates, He init, AdamW 3e-3 wd 0.01, warm-up +
// cosine, global-norm clip 1, guard 'skip', batch 128, 250 steps), built with the umbrella's own
// `buildRun`, then each technique removed in turn. Reports final test accuracy, the first
// evaluated step with test accuracy ≥ 90%, and guard events; medians over seeds with min–max.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {adam} from '@stable-train/lr-schedule';
import {buildRun} from '../../packages/stable-train/src/cli/build_run';
import {demoConfigs, DEMO_STEPS} from '../../packages/stable-train/src/cli/demo';
import type {RunConfig} from '../../packages/stable-train/src/cli/config';
import {batchIndices} from '../../packages/stable-train/src/data/dataset';
import {evaluate} from '../../packages/stable-train/src/evaluate';
import {residualMlp} from '../../packages/stable-train/src/models';
import {Trainer, type TrainerOptions} from '../../packages/stable-train/src/trainer';
import {fmt, fmtSummary, median, now, parseFlags, Report, summarize, table, writeResults} from './lib/common';
import {barChart, lineCharts, type Series} from './lib/svg';
import {setupWasm} from './lib/setup';

const flags = parseFlags();
const Q = flags.quick;
const SEEDS = flags.num('seeds', Q ? 1 : 3);
const STEPS = flags.num('steps', Q ? 30 : DEMO_STEPS);
const EVAL_EVERY = flags.num('eval-every', Q ? 15 : 25);

/** How each variant changes the recipe (config edits, or a change to the built run). */
const VARIANTS: {[k: string]: {what: string; config?: (c: RunConfig) => RunConfig; built?: (o: TrainerOptions, c: RunConfig, inputs: number, outputs: number) => void}} = {
  full: {what: 'the demo recipe as is'},
  'no-gate': {what: 'residual blocks without the ReZero gate (alpha fixed at 1)', config: (c) => ({...c, model: {...c.model, gate: 'none'} as RunConfig['model']})},
  'no-residual': {what: 'plain MLP of the same depth (32 hidden ReLU layers of 64, He init)',
    config: (c) => ({...c, model: {type: 'mlp', hidden: new Array(32).fill(64), init: 'he_normal'}})},
  'no-he-init': {what: 'N(0,1) kernels instead of He normal (gates kept)',
    built: (o, c, inputs, outputs) => {
      o.model.dispose();
      o.model = residualMlp({inputs, width: 64, depth: 16, outputs, gate: 'rezero', kernelInit: {name: 'normal', std: 1}, seed: c.seed, name: `${c.name}-n01`});
    }},
  'no-clip': {what: 'no global-norm clipping', config: (c) => ({...c, clip: undefined})},
  'no-schedule': {what: 'constant lr 3e-3 (no warm-up, no cosine)', config: (c) => ({...c, schedule: undefined})},
  'no-decay': {what: 'Adam instead of AdamW (weight decay 0)',
    built: (o) => {
      o.optimizer.dispose();
      o.optimizer = adam({lr: 3e-3}) as unknown as tf.Optimizer;
    }},
  'no-guard': {what: "guard policy 'off' (no checks)", config: (c) => ({...c, guard: {policy: 'off'}})},
};
const NAMES = flags.strs('variants', Object.keys(VARIANTS));

interface RunOut {
  variant: string;
  seed: number;
  evalSteps: number[];
  testAcc: number[];
  testLoss: number[];
  finalAcc: number;
  stepsTo90: number | null;
  guardEvents: number;
  guardCauses: string[];
  gaveUp: boolean;
  seconds: number;
}

async function runVariant(name: string, seed: number): Promise<RunOut> {
  const v = VARIANTS[name];
  let c: RunConfig = {...demoConfigs('wasm')[1], seed, name: `abl-${name}-${seed}`};
  c = {...c, train: {...c.train, steps: STEPS}};
  if (c.schedule && 'decaySteps' in c.schedule) c = {...c, schedule: {...c.schedule, decaySteps: STEPS, warmupSteps: Math.min(25, Math.round(STEPS / 10))} as RunConfig['schedule']};
  if (v.config) c = v.config(c);
  const built = await buildRun(c);
  const inputs = built.train.inputShape.reduce((a, b) => a * b, 1);
  if (v.built) v.built(built.trainerOptions, c, inputs, built.train.numClasses!);
  const opts = {...built.trainerOptions, logEvery: 0};
  const trainer = new Trainer(opts);
  const bs = c.train.batchSize;
  const per = Math.floor(built.train.size / bs);
  const t0 = now();
  const out: RunOut = {variant: name, seed, evalSteps: [], testAcc: [], testLoss: [], finalAcc: NaN, stepsTo90: null, guardEvents: 0, guardCauses: [], gaveUp: false, seconds: 0};
  const evalNow = async (step: number) => {
    const r = await evaluate(opts.model, built.test);
    out.evalSteps.push(step);
    out.testAcc.push(r.accuracy);
    out.testLoss.push(r.loss);
    if (out.stepsTo90 === null && r.accuracy >= 0.9) out.stepsTo90 = step;
  };
  for (let s = 0; s < STEPS; s++) {
    const b = built.train.batch(batchIndices(built.train.size, bs, seed, Math.floor(s / per), s % per));
    try {
      await trainer.step(b);
    } finally {
      tf.dispose([b.x, b.y]);
    }
    if (trainer.guard.gaveUp) {
      out.gaveUp = true;
      await evalNow(s + 1);
      break;
    }
    if ((s + 1) % EVAL_EVERY === 0 || s + 1 === STEPS) await evalNow(s + 1);
  }
  out.finalAcc = out.testAcc[out.testAcc.length - 1];
  const ev = trainer.events.filter((e) => e.kind === 'guard');
  out.guardEvents = ev.length;
  out.guardCauses = [...new Set(ev.map((e) => `${e.cause}->${e.action}`))];
  out.seconds = (now() - t0) / 1000;
  trainer.dispose();
  opts.optimizer.dispose();
  opts.model.dispose();
  for (const t of opts.transforms ?? []) (t as {dispose?: () => void}).dispose?.();
  return out;
}

async function main() {
  await setupWasm();
  const rep = new Report();
  const t0 = now();
  rep.log(`# Ablation of the demo recipe${Q ? ' (--quick)' : ''}`);
  rep.log('');
  rep.log(`Recipe: \`stable-train demo\`'s stabilised run (MNIST 8000 train / 1700 test, residual MLP 64 x 16 blocks, ReZero, He init, AdamW 3e-3 wd 0.01, ` +
    `warm-up + cosine, global-norm clip 1, guard 'skip', batch 128), ${STEPS} steps, ${SEEDS} seed(s); test accuracy every ${EVAL_EVERY} steps. wasm backend.`);
  rep.log('');
  const runs: RunOut[] = [];
  for (const name of NAMES) {
    if (!VARIANTS[name]) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await runVariant(name, seed);
      runs.push(r);
      console.log(`  ${name} seed ${seed}: test acc ${fmt(r.finalAcc)}, 90% at ${r.stepsTo90 ?? 'never'}, guard events ${r.guardEvents}, ${r.seconds.toFixed(0)} s`);
    }
  }
  const rows: string[][] = [];
  const accMed: number[] = [];
  const accLo: number[] = [];
  const accHi: number[] = [];
  const series: Series[] = [];
  for (const name of NAMES) {
    const rs = runs.filter((r) => r.variant === name);
    const acc = summarize(rs.map((r) => r.finalAcc));
    const to90 = rs.map((r) => r.stepsTo90);
    const reached = to90.filter((s): s is number => s !== null);
    accMed.push(acc.median);
    accLo.push(acc.min);
    accHi.push(acc.max);
    rows.push([name, VARIANTS[name].what, fmtSummary(acc), `${reached.length}/${rs.length}`, reached.length ? fmt(median(reached)) : 'never',
      `${fmt(median(rs.map((r) => r.guardEvents)))} [${Math.min(...rs.map((r) => r.guardEvents))}–${Math.max(...rs.map((r) => r.guardEvents))}]`,
      [...new Set(rs.flatMap((r) => r.guardCauses))].join(', ') || '-', `${rs.filter((r) => r.gaveUp).length}/${rs.length}`]);
    const steps = rs[0].evalSteps;
    series.push({name, x: steps, y: steps.map((_, k) => median(rs.map((r) => r.testAcc[k] ?? NaN)))});
  }
  rep.log(table(['variant', 'change', 'final test acc median [min–max]', 'reached 90%', 'steps to 90% (median of those that did)', 'guard events median [min–max]', 'guard causes', 'guard gave up'], rows));
  rep.log('');
  const wall = (now() - t0) / 1000;
  rep.log(`Steps to 90% are resolved to the evaluation interval (${EVAL_EVERY} steps). Total ${wall.toFixed(0)} s (load average ${os.loadavg()[0].toFixed(1)}).`);
  const svgs = {
    '': barChart({title: `Ablation: final test accuracy after ${STEPS} steps (median, bars = min–max over ${SEEDS} seeds)`, labels: NAMES, values: accMed, errLo: accLo, errHi: accHi, unit: ''}),
    curves: lineCharts({title: 'Ablation: test accuracy (median over seeds)', panels: [{title: 'test accuracy', series, xTitle: 'step', yTitle: 'accuracy', hline: [{y: 0.9, label: '90%'}]}]}),
  };
  const files = writeResults('ablation', Q, {params: {seeds: SEEDS, steps: STEPS, evalEvery: EVAL_EVERY, variants: Object.fromEntries(NAMES.map((n) => [n, VARIANTS[n].what]))}, runs, wallSeconds: wall}, svgs, rep.text);
  console.log(`wrote ${files.join(', ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
