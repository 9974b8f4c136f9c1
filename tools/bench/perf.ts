// Trainer overhead: `npx tsx tools/bench/perf.ts [--quick] [--repeats 5] [--steps 20] [--warmup 3]`
//
// In one run on wasm, MLP 784-512-512-10 (ReLU), batch 128, SGD, softmax cross-entropy:
//  A. the full stable-train `Trainer` step: guard (policy 'skip': 3 numbers read per step) +
//     global-norm clipping + warm-up/cosine schedule + decoupled weight decay + metrics every 10 steps;
//  B. a bare tfjs-core `optimizer.minimize` loop on the same model with our backend kernels
//     (reading the loss every step, as a training loop that logs it does) — ratio A/B, target ≤ 1.05;
//  C. tfjs-layers `model.fit` of the same MLP on STOCK tfjs-wasm, in a child process (ratio);
//  D. PyTorch where `python3 -c 'import torch'` works, else the reference figures of
//     tools/goldens/training_reference.json.
//  E. the bare step with 1, 2 and all WASM threads next to PyTorch with the same counts (`--threads 1,2`).
// A1 (the Trainer loop alone) and A2 (A without metrics) locate the overhead.
// A and B alternate repeat by repeat, so machine noise hits both alike. Medians of per-repeat medians.
import {spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {createClipper} from '@stable-train/grad-clip';
import {heNormal} from '@stable-train/initializers';
import {warmupCosine} from '@stable-train/lr-schedule';
import {decoupledWeightDecay} from '@stable-train/regularizers';
import {Trainer} from '../../packages/stable-train/src/trainer';
import {softmaxCrossEntropy} from '../../packages/stable-train/src/losses';
import {fmt, fmtSummary, median, now, parseFlags, REPO, Report, summarize, table, writeResults, type Summary} from './lib/common';
import {barChart} from './lib/svg';
import {plainMlp} from './lib/nets';
import {setupWasm} from './lib/setup';
import {defaultThreadCounts, printThreadsSweep, threadsSweep} from './lib/threads_sweep';

const flags = parseFlags();
const Q = flags.quick;
const REPEATS = flags.num('repeats', Q ? 2 : 5);
const STEPS = flags.num('steps', Q ? 5 : 20);
const WARMUP = flags.num('warmup', Q ? 2 : 3);
const BATCH = 128;
const LR = 0.05;

const makeModel = (seed: number) => plainMlp({inDim: 784, width: 512, depth: 2, outDim: 10, activation: 'relu', init: heNormal(), seed});

function data() {
  const x = tf.randomNormal([BATCH, 784], 0, 1, 'float32', 1);
  const y = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  return {x, y};
}

/**
 * Median ms/step of each loop, the loops run INTERLEAVED (one step of each in turn, `steps`
 * rounds after `warmup` rounds), so that the machine's drift and other jobs' bursts hit every
 * loop alike: the ratios are far less noisy than timing one loop after another.
 */
async function timeInterleaved(loops: (() => Promise<void> | void)[], warmup: number, steps: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const step of loops) await step();
  const t: number[][] = loops.map(() => []);
  for (let i = 0; i < steps; i++) {
    for (let k = 0; k < loops.length; k++) {
      const t0 = now();
      await loops[k]();
      t[k].push(now() - t0);
    }
  }
  return t.map(median);
}

async function main() {
  const rep = new Report();
  const report = await setupWasm();
  rep.log(`# Trainer overhead and step time${Q ? ' (--quick)' : ''}`);
  rep.log('');
  rep.log(`MLP 784-512-512-10 (ReLU), batch ${BATCH}, SGD lr ${LR}, softmax cross-entropy; backend ${report.name} (SIMD ${report.simd}, ${report.threads} thread); ` +
    `${REPEATS} repeats x ${STEPS} timed steps per loop, the loops interleaved step by step (after ${WARMUP} warm-up rounds); Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
  rep.log('');
  const {x, y} = data();
  const batch = {x, y};

  // A: full Trainer
  const modelA = makeModel(1);
  const clip = createClipper({mode: 'globalNorm', maxNorm: 1});
  const trainer = new Trainer({
    model: modelA,
    optimizer: tf.train.sgd(LR),
    transforms: [clip],
    schedule: warmupCosine({peak: LR, warmupSteps: 100, decaySteps: 100000}),
    weightDecay: decoupledWeightDecay({rate: 1e-4}),
    guard: {policy: 'skip'},
    logEvery: 10,
  });
  const stepA = async () => {
    await trainer.step(batch);
  };
  // A1: the Trainer loop alone (guard off, no transforms/schedule/decay, no metrics): where the overhead is
  const modelA1 = makeModel(1);
  const trainer1 = new Trainer({model: modelA1, optimizer: tf.train.sgd(LR), guard: {policy: 'off'}, logEvery: 0});
  const stepA1 = async () => {
    await trainer1.step(batch);
  };
  // A2: the full recipe without metrics (logEvery 0)
  const modelA2 = makeModel(1);
  const clip2 = createClipper({mode: 'globalNorm', maxNorm: 1});
  const trainer2 = new Trainer({
    model: modelA2, optimizer: tf.train.sgd(LR), transforms: [clip2],
    schedule: warmupCosine({peak: LR, warmupSteps: 100, decaySteps: 100000}),
    weightDecay: decoupledWeightDecay({rate: 1e-4}), guard: {policy: 'skip'}, logEvery: 0,
  });
  const stepA2 = async () => {
    await trainer2.step(batch);
  };
  // B: bare minimize loop, same model shape, our kernels, loss read each step
  const modelB = makeModel(1);
  const optB = tf.train.sgd(LR);
  const varsB = modelB.variables;
  const stepB = () => {
    const cost = optB.minimize(() => softmaxCrossEntropy(y, modelB.apply(x, {training: true})), true, varsB) as tf.Scalar;
    cost.dataSync();
    cost.dispose();
  };
  // B': bare loop without the per-step read (the fastest a loop can be; the Trainer's guard needs the read)
  const stepB0 = () => {
    const cost = optB.minimize(() => softmaxCrossEntropy(y, modelB.apply(x, {training: true})), false, varsB);
    cost?.dispose();
  };
  const a: number[] = [];
  const b: number[] = [];
  const b0: number[] = [];
  const a1: number[] = [];
  const a2: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  for (let r = 0; r < REPEATS; r++) {
    const [ta, tb, tb0, ta1, ta2] = await timeInterleaved([stepA, stepB, stepB0, stepA1, stepA2], WARMUP, STEPS);
    await trainer.flush();
    a.push(ta);
    b.push(tb);
    b0.push(tb0);
    a1.push(ta1);
    a2.push(ta2);
    process.stdout.write(`  repeat ${r + 1}/${REPEATS}: Trainer ${fmt(a[r])} ms, bare ${fmt(b[r])} ms, bare without read ${fmt(b0[r])} ms, ` +
      `Trainer loop only ${fmt(a1[r])} ms, full without metrics ${fmt(a2[r])} ms\n`);
  }
  await trainer.flush();
  const leak = tf.memory().numTensors - tensorsBefore;
  const ratios = a.map((v, i) => v / b[i]);
  const sA = summarize(a);
  const sB = summarize(b);
  const sB0 = summarize(b0);
  const sR = summarize(ratios);
  const sA1 = summarize(a1);
  const sA2 = summarize(a2);
  const sR1 = summarize(a1.map((v, i) => v / b[i]));
  const sR2 = summarize(a2.map((v, i) => v / b[i]));
  const guardReads = trainer.guard.readsEveryStep;
  trainer.dispose();
  trainer1.dispose();
  trainer2.dispose();
  clip.dispose?.();
  clip2.dispose?.();
  modelA1.dispose();
  modelA2.dispose();
  modelA.dispose();
  modelB.dispose();
  optB.dispose();

  // C: tfjs-layers fit on stock tfjs-wasm, separate process
  rep.log('');
  const child = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, 'lib/perf_layers_child.ts'), String(WARMUP), String(STEPS), String(REPEATS), String(BATCH)],
    {encoding: 'utf8', cwd: REPO, timeout: 9 * 60 * 1000});
  let sC: Summary | null = null;
  let cNote = '';
  try {
    const line = child.stdout.trim().split('\n').pop()!;
    const res = JSON.parse(line);
    sC = summarize(res.msPerStep);
  } catch {
    cNote = `tfjs-layers child failed (status ${child.status}): ${(child.stderr || '').trim().split('\n').slice(-3).join(' ')}`;
  }

  // D: PyTorch, and E: the threads axis: the bare step (B) with 1, 2 and all WASM threads next to
  // PyTorch (same MLP, /usr/bin/python3, Debian OpenBLAS) with the same thread counts, each cell in
  // its own process, interleaved (tools/bench/lib/threads_sweep.ts). Without torch: the reference
  // figures of tools/goldens/training_reference.json, marked as such.
  // the threads axis measures steady state (each child is its own process: the first ~100 steps with
  // 2 threads run 10-20 % slower), so it takes more warm-up steps than the Trainer loops above
  const th = threadsSweep({nets: ['mlp'], counts: flags.list('threads', defaultThreadCounts()), repeats: REPEATS, steps: flags.num('threads-steps', Q ? 8 : 50), warmup: flags.num('threads-warmup', Q ? 5 : 100)});
  let torchNote = '';
  const torch: {name: string; ms: number}[] = [];
  const torchCells = th.cells.filter((c) => c.framework === 'pytorch');
  if (torchCells.length) {
    for (const c of torchCells) torch.push({name: `PyTorch, ${c.threads} thread(s) (measured now)`, ms: median(c.ms)});
    torchNote = th.torch;
  } else {
    const ref = JSON.parse(fs.readFileSync(path.join(REPO, 'tools/goldens/training_reference.json'), 'utf8'));
    torchNote = `${th.torch}. Reference figures from tools/goldens/training_reference.json (PyTorch 1.13 CPU, same MLP, batch 128, SGD 0.05, measured on this machine type when quiet; NOT from this run):`;
    for (const s of ref.benchmark_mlp.summary) torch.push({name: `PyTorch ${s.blas_variant}, ${s.threads} thread(s) (reference file)`, ms: s.median_ms_per_step});
  }

  const rows: string[][] = [
    ['A. stable-train Trainer (guard skip + clip + schedule + decay + metrics/10)', fmtSummary(sA), `${fmtSummary(sR, 3)} (A÷B per repeat)`, '-'],
    ['A1. Trainer loop only (guard off, no clip/schedule/decay, no metrics)', fmtSummary(sA1), `${fmtSummary(sR1, 3)} (A1÷B per repeat)`, '-'],
    ['A2. A without metrics (logEvery 0)', fmtSummary(sA2), `${fmtSummary(sR2, 3)} (A2÷B per repeat)`, '-'],
    ['B. bare tfjs-core minimize loop, our kernels, loss read each step', fmtSummary(sB), '1', '-'],
    ['B0. bare loop without per-step read', fmtSummary(sB0), fmt(sA.median / sB0.median), '-'],
  ];
  if (sC) rows.push(['C. tfjs-layers model.fit, stock tfjs-wasm (child process)', fmtSummary(sC), fmt(sA.median / sC.median), fmt(sC.median / sA.median) + 'x']);
  for (const t of torch) rows.push([t.name, fmt(t.ms), fmt(sA.median / t.ms), fmt(t.ms / sA.median) + 'x']);
  rep.log(table(['loop', 'ms/step median [min–max over repeats]', 'A ÷ this', 'speed of A relative to this'], rows));
  rep.log('');
  rep.log(`Trainer overhead A/B: median ${fmt(sR.median)} (per-repeat ratios ${ratios.map((r) => fmt(r)).join(', ')}); target <= 1.05: ${sR.median <= 1.05 ? 'met' : 'NOT met'}.`);
  rep.log(`Guard policy 'skip' reads ${guardReads ? '3 numbers per step' : 'nothing per step'}; tensor count change over all timed steps: ${leak} (each live Trainer keeps one loss-sum accumulator: expected 3).`);
  if (cNote) rep.log(cNote);
  if (torchNote) rep.log(torchNote);
  const svg = barChart({
    title: 'MLP 784-512-512-10 step, batch 128 (median, bars = min–max over repeats)',
    labels: ['A. Trainer (full)', 'A1. Trainer loop only', 'A2. full, no metrics', 'B. bare minimize', 'B0. bare, no read', ...(sC ? ['C. layers fit, stock wasm'] : []),
      ...torch.map((t) => t.name.replace(/ \(.*\)$/, '').replace('debian_default_blas', 'ref. BLAS').replace('openblas_openmp_via_LD_LIBRARY_PATH', 'OpenBLAS').replace(' thread(s)', 'T') + (t.name.includes('reference file') ? ' (ref.)' : ''))],
    values: [sA.median, sA1.median, sA2.median, sB.median, sB0.median, ...(sC ? [sC.median] : []), ...torch.map((t) => t.ms)],
    errLo: [sA.min, sA1.min, sA2.min, sB.min, sB0.min, ...(sC ? [sC.min] : []), ...torch.map(() => NaN)],
    errHi: [sA.max, sA1.max, sA2.max, sB.max, sB0.max, ...(sC ? [sC.max] : []), ...torch.map(() => NaN)],
    unit: 'ms',
  });
  rep.log('');
  printThreadsSweep(th, (l) => rep.log(l));
  const files = writeResults('perf', Q, {
    params: {repeats: REPEATS, steps: STEPS, warmup: WARMUP, batch: BATCH, lr: LR},
    trainer: sA, trainerLoopOnly: sA1, trainerNoMetrics: sA2, ratioLoopOnlyOverBare: sR1, ratioNoMetricsOverBare: sR2, bare: sB, bareNoRead: sB0, ratioTrainerOverBare: sR, layersStock: sC, layersNote: cNote, torch, torchNote, tensorLeak: leak,
    threads: {cells: th.cells, speedup: th.speedup, torch: th.torch},
  }, {'': svg}, rep.text);
  console.log(`wrote ${files.join(', ')}`);
  tf.dispose([x, y]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
