// Adding problem: `npx tsx tools/bench/adding-problem.ts [--quick] [--seeds 5] [--ts 50,100]
//   [--steps 400,250] [--opt momentum|sgd|adam] [--lr 0.02] [--hidden 32] [--batch 32]`
//
// Pascanu, Mikolov & Bengio 2013 (https://arxiv.org/abs/1211.5063): a vanilla tanh RNN must output
// the sum of the two marked values of a length-T sequence. For each T and seed, three models that
// share the seed's initial weights and batches train side by side: no clipping, global-norm
// clipping at 1, AGC (λ 0.01). Success = test MSE < 0.01; always predicting 1 gives ≈ 0.167.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {fmt, median, now, parseFlags, Report, table, writeResults} from './lib/common';
import {lineCharts, type Series} from './lib/svg';
import {addingData, sliceBatch} from './lib/nets';
import {BatchedRnn, type ClipMode} from './lib/batched_rnn';
import {setupWasm} from './lib/setup';

const flags = parseFlags();
const Q = flags.quick;
const SEEDS = flags.num('seeds', Q ? 2 : 5);
const TS = flags.list('ts', Q ? [50] : [50, 100]);
const STEPS = flags.list('steps', Q ? [20] : [400, 250]);
const OPT = flags.get('opt') ?? 'momentum';
const LR = flags.num('lr', 0.02);
const H = flags.num('hidden', 32);
const BATCH = flags.num('batch', 32);
const EVAL_EVERY = flags.num('eval-every', Q ? 10 : 25);
const NTEST = Q ? 256 : 1000;
const MODES: ClipMode[] = ['none', 'clip', 'agc'];
const LABEL: {[m: string]: string} = {none: 'no clipping', clip: 'global-norm clip 1', agc: 'AGC λ=0.01'};
const SUCCESS = 0.01;

function optimizer(): tf.Optimizer {
  if (OPT === 'sgd') return tf.train.sgd(LR);
  if (OPT === 'adam') return tf.train.adam(LR);
  if (OPT === 'momentum') return tf.train.momentum(LR, 0.9);
  throw new Error(`--opt must be sgd, momentum or adam, got ${OPT}`);
}

async function main() {
  await setupWasm();
  const rep = new Report();
  const t0 = now();
  rep.log(`# Adding problem${Q ? ' (--quick)' : ''}`);
  rep.log('');
  rep.log(`Vanilla tanh RNN, ${H} hidden units, ${OPT} lr ${LR}${OPT === 'momentum' ? ' (momentum 0.9)' : ''}, batch ${BATCH}, seeds ${SEEDS}; ` +
    `test MSE on ${NTEST} fresh sequences every ${EVAL_EVERY} steps; success = test MSE < ${SUCCESS} (predicting 1 always: 0.167). wasm backend.`);
  rep.log('');
  const results: Record<string, unknown>[] = [];
  const charts = [];
  const rows: string[][] = [];
  for (const [ti, T] of TS.entries()) {
    const steps = STEPS[Math.min(ti, STEPS.length - 1)];
    const models = MODES.flatMap((mode) => Array.from({length: SEEDS}, (_, seed) => ({seed, mode})));
    const net = new BatchedRnn({models, hidden: H, clip: 1, agcFactor: 0.01});
    const opt = optimizer();
    const train = addingData(BATCH * steps, T, 1000 + T);
    const test = addingData(NTEST, T, 2000 + T);
    const tx = tf.tensor(test.x, [NTEST, T, 2]);
    const ty = tf.tensor(test.y, [NTEST]);
    const baseline = test.y.reduce((a, v) => a + (v - 1) ** 2, 0) / NTEST;
    const curveX: number[] = [];
    const curves: number[][] = models.map(() => []);
    const gradNorms: number[][] = models.map(() => []);
    const nonfinite = new Array(models.length).fill(-1);
    const evalNow = (step: number) => {
      const l = net.losses(tx, ty);
      const v = l.dataSync();
      l.dispose();
      curveX.push(step);
      v.forEach((x, m) => curves[m].push(x));
    };
    evalNow(0);
    const ts = now();
    for (let s = 0; s < steps; s++) {
      const x = sliceBatch(train.x, T * 2, [T, 2], s, BATCH, 'float32');
      const y = sliceBatch(train.y, 1, [], s, BATCH, 'float32');
      const r = net.step(x, y, opt);
      tf.dispose([x, y]);
      r.gradNorm.forEach((g, m) => {
        gradNorms[m].push(g);
        if (nonfinite[m] < 0 && !(Number.isFinite(g) && Number.isFinite(r.loss[m]))) nonfinite[m] = s;
      });
      if ((s + 1) % EVAL_EVERY === 0 || s + 1 === steps) evalNow(s + 1);
    }
    const secs = (now() - ts) / 1000;
    const series: Series[] = [];
    MODES.forEach((mode, mi) => {
      const idx = models.map((m, i) => (m.mode === mode ? i : -1)).filter((i) => i >= 0);
      const finals = idx.map((i) => curves[i][curves[i].length - 1]);
      const best = idx.map((i) => Math.min(...curves[i].map((v) => (Number.isFinite(v) ? v : Infinity))));
      const succ = idx.filter((i) => curves[i][curves[i].length - 1] < SUCCESS).length;
      const everSucc = idx.filter((i) => curves[i].some((v) => v < SUCCESS)).length;
      const nf = idx.filter((i) => nonfinite[i] >= 0).length;
      const gmax = idx.map((i) => Math.max(...gradNorms[i].filter(Number.isFinite)));
      const gmed = idx.map((i) => median(gradNorms[i]));
      rows.push([String(T), String(steps), LABEL[mode], `${succ}/${idx.length}`, `${everSucc}/${idx.length}`,
        `${fmt(median(finals))} [${fmt(Math.min(...finals))}–${fmt(Math.max(...finals))}]`, fmt(median(best)), `${nf}/${idx.length}`,
        `${fmt(median(gmed))} / ${fmt(median(gmax))}`]);
      results.push({T, steps, mode, seeds: SEEDS, successFinal: succ, successEver: everSucc, finalTestMse: finals, bestTestMse: best,
        nonfiniteRuns: nf, firstNonfiniteStep: idx.map((i) => nonfinite[i]), medianGradNorm: gmed, maxGradNorm: gmax,
        curves: idx.map((i) => curves[i]), evalSteps: curveX});
      const color = ['#d62728', '#1f77b4', '#2ca02c'][mi];
      idx.forEach((i) => series.push({name: `${LABEL[mode]} seed ${models[i].seed}`, x: curveX, y: curves[i], color, faint: true}));
      series.push({name: `${LABEL[mode]} (median of ${idx.length} seeds)`, x: curveX, y: curveX.map((_, k) => median(idx.map((i) => curves[i][k]))), color});
    });
    charts.push({title: `T = ${T}: test MSE`, series, logY: true, xTitle: 'step', yTitle: 'test MSE',
      hline: [{y: baseline, label: `predict 1: ${fmt(baseline)}`}, {y: SUCCESS, label: 'success 0.01'}]});
    rep.log(`T = ${T}: ${steps} steps in ${secs.toFixed(0)} s (${fmt((1000 * secs) / steps)} ms/step for ${models.length} models side by side); baseline MSE of predicting 1 on this test set: ${fmt(baseline)}`);
    tf.dispose([tx, ty]);
    opt.dispose();
    net.dispose();
  }
  rep.log('');
  rep.log(table(['T', 'steps', 'gradients', 'success (final MSE < 0.01)', 'ever < 0.01', 'final test MSE median [min–max]', 'best test MSE (median)', 'runs with non-finite loss', 'grad norm median / max (median over seeds)'], rows));
  rep.log('');
  const wall = (now() - t0) / 1000;
  rep.log(`Total ${wall.toFixed(0)} s (load average ${os.loadavg()[0].toFixed(1)}).`);
  const svg = lineCharts({title: `Adding problem: tanh RNN ${H} units, ${OPT} lr ${LR} (faint = seeds)`, panels: charts});
  const files = writeResults('adding-problem', Q, {params: {seeds: SEEDS, ts: TS, steps: STEPS, opt: OPT, lr: LR, hidden: H, batch: BATCH, clip: 1, agcFactor: 0.01, success: SUCCESS, nTest: NTEST}, results, wallSeconds: wall}, {'': svg}, rep.text);
  console.log(`wrote ${files.join(', ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
