// Rescue benchmark (issue 21): `npm run bench:rescue [-- --quick] [--scenario a,b] [--seeds 5] [--steps N] [--no-torch]`.
// With --scenario or --steps the results go to docs/results/rescue-<scenarios>[-<N>steps].* (the full table stays).
// `--scenario a,b --merge` also rewrites the full docs/results/rescue.* from these runs and the stored
// runs (docs/results/rescue.json) of every other scenario: rerun only what changed. `--rewrite` rewrites
// the full report from the stored runs alone (after a change to the report or a scenario's text).
//
// For each technique a scenario where a naive configuration fails and the same configuration plus
// only that technique succeeds (lib/rescue_scenarios.ts), over seeds 1..N with identical data,
// batch order and initial weights per seed. Everything trains through stable-train's `Trainer`
// (guard off: a diverging run must be seen to diverge) with the technique packages.
// The same scenarios then run in PyTorch (tools/bench/rescue_torch.py, /usr/bin/python3, one
// thread) from the very same data, batch order and initial kernels; it gives its own verdicts.
// Verdict criteria are fixed in lib/rescue_scenarios.ts (CRITERIA) before any run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {Trainer} from '../../packages/stable-train/src/trainer';
import {createRng} from '../../packages/stable-train/src/rng';
import {loadMnist} from '../../packages/stable-train/src/data/mnist';
import {now, parseFlags, REPO} from './lib/common';
import {setupWasm} from './lib/setup';
import {buildVariant, REG, SCENARIOS, verdict, type Scenario} from './lib/rescue_scenarios';
import {runTorch, writeRescueReport, type RunRecord} from './lib/rescue_report';

const flags = parseFlags();
const Q = flags.quick;
const SEEDS = flags.num('seeds', Q ? 1 : 5);
const ONLY = flags.get('scenario')?.split(',');
const TMP = path.join(REPO, 'tools/bench/tmp/rescue');
const STEPS = flags.get('steps') ? flags.num('steps', 0) : undefined;

interface TaskData {
  x: tf.Tensor;
  y: tf.Tensor;
  xTest: tf.Tensor;
  yTest: tf.Tensor;
  /** regression only: test MSE of predicting 0 */
  baseline?: number;
}

const f32 = (a: Float32Array | Int32Array, file: string) => fs.writeFileSync(path.join(TMP, file), Buffer.from(a.buffer, a.byteOffset, a.byteLength));

/** MNIST `set(8000, 1700)` split (stable-train's loadMnist), written once for PyTorch. */
async function mnist(): Promise<{x: Float32Array; y: Int32Array; xt: Float32Array; yt: Int32Array}> {
  const {train, test} = await loadMnist({train: 8000, test: 1700, seed: 0});
  // ArrayDataset keeps its arrays private; the bench reads them to hand PyTorch the same split
  const tr = train as unknown as {x: Float32Array; y: Int32Array};
  const te = test as unknown as {x: Float32Array; y: Int32Array};
  f32(tr.x, 'mnist-x.f32'); f32(tr.y, 'mnist-y.i32'); f32(te.x, 'mnist-xt.f32'); f32(te.y, 'mnist-yt.i32');
  return {x: tr.x, y: tr.y, xt: te.x, yt: te.y};
}

/** Least squares at the interpolation threshold: beta on the unit sphere, noisy train labels. */
function regression(seed: number): TaskData {
  const rng = createRng(5000 + seed);
  const {d, n, nTest, noise} = REG;
  const beta = Float32Array.from({length: d}, () => rng.normal());
  const bn = Math.hypot(...beta);
  beta.forEach((v, i) => (beta[i] = v / bn));
  const draw = (m: number, sigma: number) => {
    const x = Float32Array.from({length: m * d}, () => rng.normal());
    const y = Float32Array.from({length: m}, (_, i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * beta[j];
      return s + sigma * rng.normal();
    });
    return {x, y};
  };
  const tr = draw(n, noise);
  const te = draw(nTest, noise);
  f32(tr.x, `reg-${seed}-x.f32`); f32(tr.y, `reg-${seed}-y.f32`); f32(te.x, `reg-${seed}-xt.f32`); f32(te.y, `reg-${seed}-yt.f32`);
  return {x: tf.tensor2d(tr.x, [n, d]), y: tf.tensor2d(tr.y, [n, 1]), xTest: tf.tensor2d(te.x, [nTest, d]), yTest: tf.tensor2d(te.y, [nTest, 1]),
    baseline: te.y.reduce((a, v) => a + v * v, 0) / nTest};
}

/** Batch indices for every step of a seed (sampled with replacement), shared by every variant and by PyTorch. */
function batchOrder(sc: Scenario, seed: number, size: number, steps: number): Int32Array {
  if (sc.task === 'regression') return Int32Array.from({length: steps * size}, (_, i) => i % size);
  const rng = createRng(10_000 + seed);
  const idx = Int32Array.from({length: steps * sc.batch}, () => rng.int(size));
  f32(idx, `order-${sc.name}-${seed}.i32`);
  return idx;
}

async function trainOne(sc: Scenario, vi: number, seed: number, data: TaskData, order: Int32Array, steps: number): Promise<RunRecord> {
  const v = sc.variants[vi];
  const opts = buildVariant(v.spec, seed);
  // the initial kernels, in model order, for PyTorch (biases start at 0, norm scales at 1 on both sides)
  const kernels = opts.model.variables.filter((w) => /kernel$/.test(w.name));
  const manifest = kernels.map((w) => ({name: w.name, shape: w.shape}));
  const flat = new Float32Array(kernels.reduce((a, w) => a + w.size, 0));
  let off = 0;
  for (const w of kernels) {
    flat.set(w.dataSync() as Float32Array, off);
    off += w.size;
  }
  f32(flat, `init-${sc.name}-${vi}-${seed}.f32`);
  fs.writeFileSync(path.join(TMP, `init-${sc.name}-${vi}-${seed}.json`), JSON.stringify(manifest));
  // Guard 'skip' with spike checks off only judges finiteness (one 3-number read per step, which
  // also gives the loss curve); the run stops at the first non-finite loss or gradient, so no
  // update is ever skipped: up to there it is the plain update.
  const trainer = new Trainer({...opts, guard: {policy: 'skip', lossSpike: 0, gradSpike: 0}, logEvery: 0, seed});
  const B = sc.task === 'regression' ? REG.n : sc.batch;
  const t0 = now();
  let done = 0;
  let firstNonfinite = -1;
  for (let s = 0; s < steps; s++) {
    const idx = tf.tensor1d(order.subarray(s * B, (s + 1) * B), 'int32');
    const batch = tf.tidy(() => ({x: tf.gather(data.x, idx), y: tf.gather(data.y, idx)}));
    const r = await trainer.step(batch);
    tf.dispose([idx, batch.x, batch.y]);
    done++;
    if (!r.applied) {
      firstNonfinite = s; // NaN weights would stay NaN: the rest of the run would cost time and show nothing
      break;
    }
  }
  const trainSeconds = (now() - t0) / 1000;
  const metric = tf.tidy(() => {
    const out = opts.model.apply(data.xTest, {training: false});
    if (sc.task === 'regression') return tf.mean(tf.squaredDifference(out, data.yTest)).dataSync()[0];
    return tf.mean(tf.cast(tf.equal(tf.argMax(out, -1), data.yTest), 'float32')).dataSync()[0];
  });
  const loss = trainer.guardLog.map((g) => g.loss);
  trainer.dispose();
  opts.model.dispose();
  opts.optimizer.dispose();
  const nonfinite = firstNonfinite >= 0;
  return {
    framework: 'stable-train', scenario: sc.name, variant: v.name, role: v.role, seed, steps: done, metric,
    metricName: sc.task === 'regression' ? 'test MSE' : 'test accuracy', baseline: data.baseline,
    firstNonfiniteStep: firstNonfinite, verdict: verdict(sc.task, metric, nonfinite, data.baseline),
    stepsPerSecond: done / trainSeconds, wallSeconds: trainSeconds, loss,
  };
}

async function main() {
  const backend = await setupWasm();
  if (flags.get('rewrite') === 'true') {
    console.log(`wrote ${merge([], [], {status: '', runs: []}, SEEDS_OF_STORE(), backend.name).join(', ')}`);
    return;
  }
  fs.mkdirSync(TMP, {recursive: true});
  const scenarios = SCENARIOS.filter((s) => !ONLY || ONLY.includes(s.name));
  if (ONLY && scenarios.length !== ONLY.length) throw new Error(`--scenario: unknown name in ${ONLY.join(',')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const seeds = Array.from({length: SEEDS}, (_, i) => i + 1);
  const t0 = now();
  const m = scenarios.some((s) => s.task !== 'regression') ? await mnist() : null;
  const runs: RunRecord[] = [];
  for (const sc of scenarios) {
    const steps = STEPS ?? (Q ? sc.quickSteps : sc.steps);
    for (const seed of seeds) {
      let data: TaskData;
      if (sc.task === 'regression') data = regression(seed);
      else {
        const shape = sc.task === 'mnist-rows' ? [28, 28] : [784];
        data = {x: tf.tensor(m!.x, [m!.y.length, ...shape]), y: tf.tensor1d(m!.y, 'int32'), xTest: tf.tensor(m!.xt, [m!.yt.length, ...shape]), yTest: tf.tensor1d(m!.yt, 'int32')};
      }
      const order = batchOrder(sc, seed, data.y.shape[0], steps);
      for (let vi = 0; vi < sc.variants.length; vi++) {
        const r = await trainOne(sc, vi, seed, data, order, steps);
        runs.push(r);
        console.log(`${sc.name} | ${r.variant} | seed ${seed}: ${r.metricName} ${r.metric.toFixed(3)}, first non-finite ${r.firstNonfiniteStep}, ` +
          `${r.stepsPerSecond.toFixed(1)} steps/s → ${r.verdict}`);
      }
      tf.dispose([data.x, data.y, data.xTest, data.yTest]);
    }
  }
  const oursSeconds = (now() - t0) / 1000;
  const torch = flags.get('no-torch') === 'true' ? {status: 'not run (--no-torch)', runs: [] as RunRecord[]} : runTorch(TMP, STEPS ? scenarios.map((s) => ({...s, steps: STEPS, quickSteps: STEPS})) : scenarios, seeds, Q);
  console.log(`PyTorch: ${torch.status}`);
  const name = ONLY || STEPS ? `rescue-${(ONLY ?? ['all']).join('-')}${STEPS ? `-${STEPS}steps` : ''}` : 'rescue';
  const files = writeRescueReport({name, quick: Q, scenarios: STEPS ? scenarios.map((s) => ({...s, steps: STEPS, quickSteps: STEPS})) : scenarios, seeds, runs, torch, backend: backend.name, oursSeconds, totalSeconds: (now() - t0) / 1000});
  console.log(`wrote ${files.join(', ')}`);
  if (flags.get('merge') === 'true') console.log(`wrote ${merge(ONLY ?? [], runs, torch, seeds, backend.name).join(', ')}`);
}

/** Reads a stored number back (writeResults stores NaN/±Infinity as strings). */
const num = (v: unknown): number => (typeof v === 'number' ? v : v === 'NaN' || v === null ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v));

/** `--merge`: the full report from this run's scenarios plus the stored runs of all the others. */
function merge(rerun: string[], runs: RunRecord[], torch: {status: string; runs: RunRecord[]; version?: string}, seeds: number[], backend: string): string[] {
  if (Q || STEPS || (!rerun.length && flags.get('rewrite') !== 'true')) throw new Error('--merge needs --scenario and neither --quick nor --steps');
  const stored = readStore();
  if (stored.seeds.join() !== seeds.join()) throw new Error(`--merge: stored runs have seeds ${stored.seeds}, this run ${seeds}`);
  const kept = stored.runs.filter((r) => !rerun.includes(r.scenario)).map((r) => ({...r, metric: num(r.metric), loss: r.framework === 'pytorch' ? r.loss : r.loss.map(num),
    ...(r.baseline === undefined || r.baseline === null ? {} : {baseline: num(r.baseline)})}));
  const ours = [...kept.filter((r) => r.framework === 'stable-train'), ...runs];
  const theirs = [...kept.filter((r) => r.framework === 'pytorch'), ...torch.runs];
  const wall = (rs: RunRecord[]) => rs.reduce((a, r) => a + r.wallSeconds, 0);
  return writeRescueReport({name: 'rescue', quick: false, scenarios: SCENARIOS, seeds, runs: ours,
    torch: {status: torch.runs.length ? torch.status : stored.torch.status, version: torch.version ?? stored.torch.version, runs: theirs},
    backend, oursSeconds: wall(ours), totalSeconds: wall(ours) + wall(theirs),
    // the context (date, commit, command, load) of the run the kept scenarios come from
    extra: {storedFrom: stored.storedFrom ?? stored.context, rerun},
    note: rerun.length
      ? `Merged (\`--scenario ${rerun.join(',')} --merge\`): ${rerun.join(', ')} rerun on ${new Date().toISOString().slice(0, 10)}, the other scenarios from the stored run of ${(stored.storedFrom ?? stored.context)?.date?.slice(0, 10) ?? '?'}; times are summed training times.`
      : `Rewritten (\`--rewrite\`) from the stored runs of ${(stored.storedFrom ?? stored.context)?.date?.slice(0, 10) ?? '?'}; times are summed training times.`});
}

interface Store {
  seeds: number[];
  runs: RunRecord[];
  torch: {status: string; version?: string};
  context?: {date?: string};
  /** set by --merge / --rewrite: the context of the run the kept runs come from */
  storedFrom?: {date?: string};
}

const readStore = (): Store => JSON.parse(fs.readFileSync(path.join(REPO, 'docs/results/rescue.json'), 'utf8')) as Store;
const SEEDS_OF_STORE = () => readStore().seeds;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
