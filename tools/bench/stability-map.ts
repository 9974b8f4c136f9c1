// Stability map: `npx tsx tools/bench/stability-map.ts [--quick] [--seeds 3] [--steps 40] [--batch 32] [--depths 8,16,32,64,128]
//   [--lrs 0.001,0.01,0.05,0.2,1] [--configs naive,init,...] [--acts relu,tanh] [--jobs 2]`
//
// Plain (non-residual) ReLU and tanh MLPs of depth {8..128}, SGD at each lr, a fixed step budget,
// on a teacher–student task: the fraction of runs that diverge (non-finite loss/weights, or the
// guard gives up) or fail to learn (held-out loss not below 0.9·ln C), for naive N(0,1) init, each
// technique alone, and the full recipe. The lr x seed models of a cell row train side by side in
// batched tensors (lib/batched.ts), each with its own lr, clipping, guard and decay.
import {spawn} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {calculateGain, glorotUniform, heNormal, normal} from '@stable-train/initializers';
import {warmupCosine} from '@stable-train/lr-schedule';
import {fmt, median, now, parseFlags, Report, RESULTS_DIR, table, writeResults} from './lib/common';
import {heatMaps, type HeatPanel} from './lib/svg';
import {BatchedMlp} from './lib/batched';
import {sliceBatch, teacherData, type KernelInit} from './lib/nets';
import {setupWasm} from './lib/setup';

const flags = parseFlags();
const Q = flags.quick;
const SEEDS = flags.num('seeds', Q ? 1 : 3);
const STEPS = flags.num('steps', Q ? 10 : 40);
const DEPTHS = flags.list('depths', Q ? [8, 32] : [8, 16, 32, 64, 128]);
const LRS = flags.list('lrs', Q ? [0.01, 1] : [0.001, 0.01, 0.05, 0.2, 1]);
const ACTS = flags.strs('acts', ['relu', 'tanh']) as ('relu' | 'tanh')[];
const CONFIGS = flags.strs('configs', ['naive', 'init', 'norm', 'clip', 'schedule', 'decay', 'guard', 'full']);
const JOBS = flags.num('jobs', 1);
const SHARD = flags.get('shard'); // "i/n": internal, used by --jobs
const WIDTH = 32;
const IN = flags.num('in', 16);
const CLASSES = flags.num('classes', 4);
const BATCH = flags.num('batch', 32);
const NTRAIN = 4096;
const NTEST = 512;
const CHANCE = Math.log(CLASSES);
const LEARNED = flags.num('learned', 0.9) * CHANCE; // held-out loss must end below this to count as "learned"

const DESCRIBE: {[k: string]: string} = {
  naive: 'N(0,1) init, SGD, constant lr',
  init: 'He normal (ReLU) / Xavier uniform gain 5/3 (tanh)',
  norm: 'LayerNorm before each activation',
  clip: 'global-norm clipping at 1',
  schedule: 'warm-up (20%) + cosine decay to 0, peak = lr',
  decay: 'decoupled weight decay 5e-4 (not a stability technique; control)',
  guard: 'explosion guard: skip bad steps, lr x0.5 each, give up after 10',
  full: 'init + LayerNorm + clip 1 + warm-up/cosine + decay 5e-4 + guard',
};

interface RunResult {
  act: string;
  config: string;
  depth: number;
  lr: number;
  seed: number;
  status: 'ok' | 'diverged' | 'no-learn';
  why: string;
  initialLoss: number;
  finalLoss: number;
  steps: number;
  guardEvents: number;
  firstNonfiniteStep: number;
  /** wall time of the group / models in it */
  ms: number;
}

const has = (cfg: string, t: string) => cfg === t || (cfg === 'full' && t !== 'naive');

/** Trains the `LRS × SEEDS` models of one (config, act, depth) cell row side by side. */
function runGroup(cfg: string, act: 'relu' | 'tanh', depth: number, data: Data): RunResult[] {
  const t0 = now();
  const init: KernelInit = has(cfg, 'init')
    ? act === 'relu' ? heNormal() : glorotUniform({gain: calculateGain('tanh')})
    : normal({std: 1});
  const models = LRS.flatMap((lr) => Array.from({length: SEEDS}, (_, seed) => ({lr, seed})));
  const net = new BatchedMlp({
    models, inDim: IN, width: WIDTH, depth, outDim: CLASSES, activation: act, init,
    layerNorm: has(cfg, 'norm'),
    clip: has(cfg, 'clip') ? 1 : undefined,
    schedule: has(cfg, 'schedule') ? warmupCosine({peak: 1, warmupSteps: Math.max(1, Math.round(STEPS / 5)), decaySteps: STEPS}) : undefined,
    decay: has(cfg, 'decay') ? 5e-4 : undefined,
    guard: has(cfg, 'guard') ? {policy: 'skip', cutLr: 0.5, maxConsecutive: 10} : undefined,
  });
  const initial = net.evaluate(data.testX, data.testY);
  const skipped = new Array(models.length).fill(0);
  const firstBad = new Array(models.length).fill(-1);
  let s = 0;
  for (; s < STEPS; s++) {
    const b = data.batches[s % data.batches.length];
    const r = net.step(b.x, b.y);
    r.ok.forEach((ok, m) => {
      if (!ok) skipped[m]++;
      if (firstBad[m] < 0 && !(Number.isFinite(r.loss[m]) && Number.isFinite(r.gradNorm[m]))) firstBad[m] = s;
    });
    // every model non-finite (and no guard to skip it) or given up: nothing left to learn
    const dead = models.every((_, m) => net.guards[m].gaveUp || (net.guards[m].policy === 'off' && firstBad[m] >= 0 && !Number.isFinite(r.loss[m])));
    if (dead) {
      s++;
      break;
    }
  }
  const fin = net.evaluate(data.testX, data.testY);
  const ms = (now() - t0) / models.length;
  const out = models.map(({lr, seed}, m): RunResult => {
    let status: RunResult['status'] = 'ok';
    let why = '';
    const g = net.guards[m];
    if (g.gaveUp) {
      status = 'diverged';
      why = `guard gave up (${skipped[m]} skipped steps)`;
    } else if (!Number.isFinite(fin.loss[m]) || !fin.finite[m]) {
      status = 'diverged';
      why = `non-finite held-out loss or weights (first non-finite training loss/grad at step ${firstBad[m]})`;
    } else if (!(fin.loss[m] < LEARNED)) {
      status = 'no-learn';
      why = `held-out loss ${fmt(fin.loss[m])} >= ${fmt(LEARNED)}`;
    }
    return {act, config: cfg, depth, lr, seed, status, why, initialLoss: initial.loss[m], finalLoss: fin.loss[m], steps: s,
      guardEvents: g.badSteps, firstNonfiniteStep: firstBad[m], ms};
  });
  net.dispose();
  return out;
}

interface Data {
  batches: {x: tf.Tensor; y: tf.Tensor}[];
  testX: tf.Tensor;
  testY: tf.Tensor;
}

function makeData(): Data {
  const d = teacherData({n: NTRAIN + NTEST, inDim: IN, classes: CLASSES, seed: 20240611});
  const batches = [];
  for (let i = 0; i < NTRAIN / BATCH; i++) {
    batches.push({x: sliceBatch(d.x, IN, [IN], i, BATCH, 'float32'), y: sliceBatch(d.y, 1, [], i, BATCH, 'int32')});
  }
  const tx = d.x.slice(NTRAIN * IN);
  const ty = d.y.slice(NTRAIN);
  return {batches, testX: tf.tensor(tx, [NTEST, IN]), testY: tf.tensor(ty, [NTEST], 'int32')};
}

/** Every (config, act, depth) group, largest depths first so shards balance. */
function grid(): [string, 'relu' | 'tanh', number][] {
  const g: [string, 'relu' | 'tanh', number][] = [];
  for (const depth of [...DEPTHS].sort((a, b) => b - a)) for (const act of ACTS) for (const cfg of CONFIGS) g.push([cfg, act, depth]);
  return g;
}

async function worker(shard: [number, number]): Promise<RunResult[]> {
  await setupWasm();
  const data = makeData();
  const out: RunResult[] = [];
  const g = grid().filter((_, i) => i % shard[1] === shard[0]);
  let lastPrint = now();
  for (const [i, [cfg, act, depth]] of g.entries()) {
    out.push(...runGroup(cfg, act, depth, data));
    if (now() - lastPrint > 20000) {
      console.log(`  ${SHARD ? `[shard ${SHARD}] ` : ''}${i + 1}/${g.length} groups, ${((now() - t0) / 1000).toFixed(0)} s`);
      lastPrint = now();
    }
  }
  return out;
}

/** Runs the grid in `JOBS` child processes (one per core) and merges their results. */
async function parallel(): Promise<RunResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stability-map-'));
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--jobs' && all[i - 1] !== '--jobs' && !a.startsWith('--jobs='));
  const kids = Array.from({length: JOBS}, (_, i) => new Promise<RunResult[]>((resolve, reject) => {
    const file = path.join(dir, `${i}.json`);
    const p = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args, '--shard', `${i}/${JOBS}`, '--shard-out', file], {stdio: 'inherit'});
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(fs.readFileSync(file, 'utf8'))) : reject(new Error(`shard ${i} exited with ${code}`))));
  }));
  const parts = await Promise.all(kids);
  fs.rmSync(dir, {recursive: true, force: true});
  return parts.flat();
}

const t0 = now();

async function main() {
  if (SHARD) {
    const [i, n] = SHARD.split('/').map(Number);
    const res = await worker([i, n]);
    fs.writeFileSync(flags.get('shard-out')!, JSON.stringify(res));
    return;
  }
  const rep = new Report();
  rep.log(`# Stability map${Q ? ' (--quick)' : ''}`);
  rep.log('');
  rep.log(`Plain MLP ${IN}-${WIDTH}x depth-${CLASSES}, teacher–student task (${CLASSES} classes, ${NTRAIN} train / ${NTEST} held-out), ` +
    `SGD batch ${BATCH}, ${STEPS} steps, seeds ${SEEDS}, lrs ${LRS.join(', ')}, depths ${DEPTHS.join(', ')}; wasm backend, ${JOBS} process(es).`);
  rep.log(`Bad run = diverged (non-finite held-out loss or weights, or the guard gave up) or failed to learn (held-out loss not below ${fmt(LEARNED / CHANCE)}·ln ${CLASSES} = ${fmt(LEARNED)}).`);
  rep.log('');
  // --replot: re-tabulate and re-draw the runs stored in docs/results (no training)
  const stored = flags.get('replot') === 'true' ? JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, `stability-map${Q ? '-quick' : ''}.json`), 'utf8')) : null;
  const results: RunResult[] = stored ? stored.runs : JOBS > 1 ? await parallel() : await worker([0, 1]);
  const wall = stored ? stored.wallSeconds : (now() - t0) / 1000;

  const sel = (act: string, cfg: string, f: (r: RunResult) => boolean = () => true) => results.filter((r) => r.act === act && r.config === cfg && f(r));
  const frac = (rs: RunResult[], f: (r: RunResult) => boolean) => (rs.length ? rs.filter(f).length / rs.length : NaN);
  const bad = (r: RunResult) => r.status !== 'ok';
  const pct = (x: number) => (Number.isNaN(x) ? '-' : `${Math.round(100 * x)}%`);
  const panels: HeatPanel[][] = [];
  const divPanels: HeatPanel[][] = [];
  const summary: Record<string, unknown>[] = [];
  for (const act of ACTS) {
    rep.log(`## ${act.toUpperCase()}: fraction of bad runs (diverged + failed to learn) by depth, over ${LRS.length} lrs x ${SEEDS} seeds`);
    rep.log('');
    const rows: string[][] = [];
    const row: HeatPanel[] = [];
    for (const cfg of CONFIGS) {
      const all = sel(act, cfg);
      const okLoss = all.filter((r) => r.status === 'ok').map((r) => r.finalLoss);
      const lrsOk = DEPTHS.map((d) => LRS.filter((lr) => sel(act, cfg, (r) => r.depth === d && r.lr === lr).every((r) => !bad(r))).length);
      rows.push([
        cfg,
        ...DEPTHS.map((d) => pct(frac(sel(act, cfg, (r) => r.depth === d), bad))),
        pct(frac(all, bad)),
        pct(frac(all, (r) => r.status === 'diverged')),
        pct(frac(all, (r) => r.status === 'no-learn')),
        lrsOk.join('/'),
        okLoss.length ? fmt(median(okLoss)) : '-',
      ]);
      summary.push({act, config: cfg, bad: frac(all, bad), diverged: frac(all, (r) => r.status === 'diverged'), noLearn: frac(all, (r) => r.status === 'no-learn'),
        byDepth: Object.fromEntries(DEPTHS.map((d) => [d, frac(sel(act, cfg, (r) => r.depth === d), bad)])), lrsAllSeedsOk: Object.fromEntries(DEPTHS.map((d, i) => [d, lrsOk[i]]))});
      row.push({
        title: cfg,
        values: DEPTHS.map((d) => LRS.map((lr) => frac(sel(act, cfg, (r) => r.depth === d && r.lr === lr), bad))),
        labels: DEPTHS.map((d) => LRS.map((lr) => {
          const rs = sel(act, cfg, (r) => r.depth === d && r.lr === lr);
          return rs.length ? `${rs.filter(bad).length}${rs.some((r) => r.status === 'diverged') ? '*' : ''}` : '';
        })),
      });
    }
    panels.push(row);
    divPanels.push(CONFIGS.map((cfg) => ({
      title: cfg,
      values: DEPTHS.map((d) => LRS.map((lr) => frac(sel(act, cfg, (r) => r.depth === d && r.lr === lr), (r) => r.status === 'diverged'))),
      labels: DEPTHS.map((d) => LRS.map((lr) => String(sel(act, cfg, (r) => r.depth === d && r.lr === lr && r.status === 'diverged').length))),
    })));
    rep.log(table(['config', ...DEPTHS.map((d) => `depth ${d}`), 'all', 'diverged', 'no-learn', 'lrs all-good per depth', 'median final loss (good runs)'], rows));
    rep.log('');
  }
  rep.log('Configs (each alone on top of the naive run):');
  for (const c of CONFIGS) rep.log(`- ${c}: ${DESCRIBE[c] ?? c}`);
  rep.log('');
  rep.log(`${results.length} runs in ${wall.toFixed(0)} s${stored ? ` (measured ${(stored.measured ?? stored.context)?.date}, load average at the end ${(stored.measured ?? stored.context)?.loadavg?.[0]})` : ` (load average at the end ${os.loadavg()[0].toFixed(1)})`}.`);
  const svg = heatMaps({
    title: `Stability map: plain MLPs, SGD, ${STEPS} steps — bad runs out of ${SEEDS} seed(s) per cell`,
    legend: `green = all runs learned; red = all diverged or failed to learn; * = at least one run diverged (non-finite). Learned = held-out loss < ${fmt(LEARNED)}.`,
    panels,
    rowNames: ACTS.map((a) => a.toUpperCase()),
    rowLabels: DEPTHS.map(String),
    colLabels: LRS.map((l) => fmt(l)),
    xTitle: 'learning rate',
    yTitle: 'depth',
  });
  const svgDiv = heatMaps({
    title: `Stability map: runs that DIVERGED (non-finite, or the guard gave up) out of ${SEEDS} seed(s) per cell`,
    legend: 'green = no run diverged; red = every run diverged. Slow learning within the step budget is not counted here.',
    panels: divPanels,
    rowNames: ACTS.map((a) => a.toUpperCase()),
    rowLabels: DEPTHS.map(String),
    colLabels: LRS.map((l) => fmt(l)),
    xTitle: 'learning rate',
    yTitle: 'depth',
  });
  const files = writeResults('stability-map', Q, {
    params: {seeds: SEEDS, steps: STEPS, depths: DEPTHS, lrs: LRS, acts: ACTS, configs: CONFIGS, width: WIDTH, inDim: IN, classes: CLASSES, batch: BATCH, learnedThreshold: LEARNED, describe: DESCRIBE},
    summary,
    runs: results,
    wallSeconds: wall,
    measured: stored ? (stored.measured ?? stored.context) : undefined,
  }, {'': svg, diverged: svgDiv}, rep.text);
  console.log(`\nwrote ${files.join(', ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
