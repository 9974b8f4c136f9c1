// 1000-block residual MLP without normalisation: `npx tsx tools/bench/deep-residual.ts [--quick]
//   [--blocks 1000] [--steps 200] [--seeds 3] [--width 8] [--batch 16] [--lr 1e-3] [--check]`
//
// Plain (He-uniform init, no gate) vs ReZero vs SkipInit (both: scalar gate alpha = 0) vs Fixup
// (branch layer 1 scaled by L^(-1/2), layer 2 zero, scalar biases and multiplier), Adam, a
// regression task y = sin(x·A); the seeds of each variant train side by side
// (lib/batched_resmlp.ts: resnet-blocks' residualBlockApply and residualDense's init, batched).
// Reports the number of steps with a non-finite loss and the final held-out loss.
// `--check` first verifies that the batched block computes what resnet-blocks' residualMlp does.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {residualMlp} from '@stable-train/resnet-blocks';
import {createRng} from '../../packages/stable-train/src/rng';
import {fmt, fmtSummary, median, now, parseFlags, Report, summarize, table, writeResults} from './lib/common';
import {lineCharts, type Series} from './lib/svg';
import {BatchedResMlp, type ResVariant} from './lib/batched_resmlp';
import {setupWasm} from './lib/setup';

const flags = parseFlags();
const Q = flags.quick;
const BLOCKS = flags.num('blocks', Q ? 100 : 1000);
const STEPS = flags.num('steps', Q ? 10 : 200);
const SEEDS = flags.num('seeds', Q ? 1 : 3);
const W = flags.num('width', 8);
const LR = flags.num('lr', 1e-3);
const BATCH = flags.num('batch', 16);
const NTEST = 512;
const VARIANTS: ResVariant[] = ['plain', 'rezero', 'skipinit', 'fixup'];

function task(n: number, seed: number, A: Float32Array): {x: tf.Tensor; y: tf.Tensor} {
  const rng = createRng(seed);
  const x = new Float32Array(n * W).map(() => rng.normal());
  return tf.tidy(() => {
    const xt = tf.tensor(x, [n, W]);
    return {x: xt, y: tf.sin(tf.matMul(xt, tf.tensor(A, [W, W])))};
  });
}

/**
 * Max |difference| between the batched stack (lib/batched_resmlp.ts) and resnet-blocks' residualMlp
 * on random weights: the same block math from the package, applied batched and per block.
 */
function check(): {variant: string; maxAbsDiff: number}[] {
  const out: {variant: string; maxAbsDiff: number}[] = [];
  for (const variant of VARIANTS) {
    const L = 3;
    const b = new BatchedResMlp({models: [{seed: 7, variant}], blocks: L, width: W});
    const g = b.groups[0];
    tf.tidy(() => {
      for (const [k, v] of Object.entries(g.vars)) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, k.endsWith('kernel') ? 0.2 : 0.3, 'float32', k.charCodeAt(0) * 10 + k.charCodeAt(k.length - 1))));
    });
    const name = `chk_${variant}`;
    const pkg = residualMlp({depth: L, width: W, name, ...(variant === 'fixup' ? {fixup: true} : variant === 'plain' ? {} : {gate: variant})});
    const byName = Object.fromEntries(pkg.variables.map((v) => [v.name, v]));
    let copied = 0;
    tf.tidy(() => {
      for (let l = 0; l < L; l++) {
        for (const [k, v] of Object.entries(g.vars)) {
          const target = byName[`${name}/block${l}/${k}`];
          if (!target) throw new Error(`check: residualMlp has no variable ${name}/block${l}/${k}`);
          target.assign(tf.reshape(tf.slice(v, [l, 0], [1, 1]), target.shape));
          copied++;
        }
      }
    });
    if (copied !== pkg.variables.length) throw new Error(`check: copied ${copied} of residualMlp's ${pkg.variables.length} variables`);
    const x = tf.randomNormal([5, W], 0, 1, 'float32', 3);
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.squeeze(b.apply(x), [0]), pkg.apply(x, {training: true})))).dataSync()[0]);
    const d2 = tf.tidy(() => tf.max(tf.abs(tf.sub(b.apply(x, true), b.apply(x)))).dataSync()[0]);
    if (d2 !== 0) throw new Error(`check: inference and training forward differ by ${d2}`);
    out.push({variant, maxAbsDiff: d});
    tf.dispose(x);
    pkg.dispose();
    b.dispose();
  }
  return out;
}

async function main() {
  await setupWasm();
  const rep = new Report();
  const t0 = now();
  rep.log(`# Deep residual MLP without normalisation${Q ? ' (--quick)' : ''}`);
  rep.log('');
  rep.log(`${BLOCKS} pre-activation residual blocks (dense ${W}-${W}-${W}, ReLU, no norm), regression y = sin(x·A), x ~ N(0,1)^${W}, ` +
    `Adam lr ${LR}, batch ${BATCH}, ${STEPS} steps, ${SEEDS} seed(s) per variant; held-out MSE on ${NTEST} samples. wasm backend.`);
  rep.log('');
  let checked: {variant: string; maxAbsDiff: number}[] | undefined;
  if (flags.get('check') === 'true' || Q) {
    checked = check();
    rep.log(`Check against resnet-blocks residualMlp (3 blocks, random weights), max |diff|: ${checked.map((c) => `${c.variant} ${c.maxAbsDiff.toExponential(1)}`).join(', ')}`);
    rep.log('');
  }
  const headerLines = rep.lines.length;
  const rng = createRng(99);
  const A = new Float32Array(W * W).map(() => rng.normal() / Math.sqrt(W));
  const test = task(NTEST, 12345, A);
  const models = VARIANTS.flatMap((variant) => Array.from({length: SEEDS}, (_, i) => ({seed: i + 1, variant})));
  const net = new BatchedResMlp({models, blocks: BLOCKS, width: W});
  const opt = tf.train.adam(LR);
  const nonfinite = new Array(models.length).fill(0);
  const firstNonfinite = new Array(models.length).fill(-1);
  const curves: number[][] = models.map(() => []);
  const testLoss = () => {
    const l = net.losses(test.x, test.y, true);
    const v = Array.from(l.dataSync());
    l.dispose();
    return v;
  };
  const initial = testLoss();
  const ts = now();
  const writeOut = (done: number) => {
    const secs = (now() - ts) / 1000;
    rep.lines.length = headerLines;
    const final = testLoss();
    const rows: string[][] = [];
    const results: Record<string, unknown>[] = [];
    const series: Series[] = [];
    VARIANTS.forEach((variant) => {
      const idx = models.map((m, i) => (m.variant === variant ? i : -1)).filter((i) => i >= 0);
      const nf = idx.map((i) => nonfinite[i]);
      const fin = summarize(idx.map((i) => final[i]));
      const init = summarize(idx.map((i) => initial[i]));
      rows.push([variant, `${idx.filter((i) => nonfinite[i] > 0).length}/${idx.length}`, `${fmt(median(nf))} [${Math.min(...nf)}–${Math.max(...nf)}]`,
        idx.some((i) => firstNonfinite[i] >= 0) ? fmt(median(idx.map((i) => firstNonfinite[i]).filter((v) => v >= 0))) : '-', fmtSummary(init), fmtSummary(fin)]);
      results.push({variant, seeds: idx.map((i) => models[i].seed), nonfiniteSteps: nf, firstNonfiniteStep: idx.map((i) => firstNonfinite[i]),
        initialTestMse: idx.map((i) => initial[i]), finalTestMse: idx.map((i) => final[i]), trainLoss: idx.map((i) => curves[i])});
      const steps = curves[0].map((_, k) => k);
      series.push({name: variant, x: steps, y: steps.map((k) => median(idx.map((i) => curves[i][k])))});
    });
    if (done < STEPS) rep.log(`PARTIAL: ${done} of ${STEPS} steps done (written every 50 steps while running).`);
    rep.log(table(['variant', 'runs with a non-finite loss or gradient', 'non-finite steps median [min–max]', 'first non-finite step (median)', 'held-out MSE at init', 'held-out MSE after training median [min–max]'], rows));
    rep.log('');
    const base = test.y.square().mean().dataSync()[0];
    rep.log(`Reference: predicting 0 gives held-out MSE ${fmt(base)}. ${done} steps of ${models.length} models side by side in ${secs.toFixed(0)} s ` +
      `(${fmt((1000 * secs) / done)} ms/step); total ${((now() - t0) / 1000).toFixed(0)} s, load average ${os.loadavg()[0].toFixed(1)}.`);
    const svg = lineCharts({title: `${BLOCKS}-block residual MLP, no normalisation: training loss (median over ${SEEDS} seed(s); gaps = non-finite)`,
      panels: [{title: 'training MSE', series, logY: true, xTitle: 'step', yTitle: 'MSE'}]});
    const files = writeResults('deep-residual', Q, {params: {blocks: BLOCKS, steps: STEPS, stepsDone: done, seeds: SEEDS, width: W, lr: LR, batch: BATCH, nTest: NTEST}, check: checked, results, predictZeroMse: base, stepsDone: done, wallSeconds: (now() - t0) / 1000}, {'': svg}, rep.text);
    console.log(`wrote ${files.join(', ')}`);
  };
  for (let s = 0; s < STEPS; s++) {
    const b = task(BATCH, 1000 + s, A);
    const r = net.step(b.x, b.y, opt);
    tf.dispose([b.x, b.y]);
    r.loss.forEach((l, m) => {
      curves[m].push(l);
      if (!Number.isFinite(l) || !Number.isFinite(r.gradNorm[m])) {
        nonfinite[m]++;
        if (firstNonfinite[m] < 0) firstNonfinite[m] = s;
      }
    });
    if (s === 0 || (s + 1) % 50 === 0) console.log(`  step ${s + 1}/${STEPS}, ${((now() - ts) / 1000).toFixed(0)} s`);
    if ((s + 1) % 50 === 0 && s + 1 < STEPS) writeOut(s + 1);
  }
  writeOut(STEPS);
  opt.dispose();
  net.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
