// Benchmark of stable-train's backend setup: `npx tsx tools/bench/backends.ts` (repo root).
// One run, WASM-SIMD in Node: MLP 784-512-512-10 (batch 128, SGD) stock tfjs vs ours and vs the
// pure time of its GEMMs; a small convnet (stock WASM cannot train it) vs the cpu backend;
// PyTorch when python3 has torch; both nets with 1, 2 and all threads, ours and PyTorch's. Medians of repeats; the machine is shared, so expect noise.
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {spawnSync} from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {setupBackend} from '../../packages/stable-train/src/backends';
import {printThreadsSweep, threadsSweep, torchStatus} from './lib/threads_sweep';
import {batchedMatMulMs, convnet, fmt, median, mlp, mlpGemmFloor, step, timeSteps} from './backends_models';

const QUICK = process.env.BENCH_QUICK === '1';
const CPU_STEPS = Number(process.env.BENCH_CPU_STEPS ?? 2);
const REPO = path.resolve(__dirname, '../..');
const log = (s = '') => console.log(s);

function trainMlp(label: string) {
  const m = mlp();
  const opt = tf.train.sgd(0.05);
  const r = timeSteps(m, opt, 3, QUICK ? 3 : 8, QUICK ? 2 : 5);
  m.dispose();
  opt.dispose();
  log(`  ${label.padEnd(34)} ${fmt(r.ms).padStart(7)} ms/step   (repeats: ${r.all.map(fmt).join(', ')})`);
  return r.ms;
}

/**
 * Our MLP step and its GEMM floor, measured in short alternating rounds (3 steps, then each GEMM
 * once with fresh operands) so that the machine's load drifts hit both alike; the ratio is the
 * median of the per-round ratios.
 */
function mlpVsFloor(rounds: number) {
  const m = mlp();
  const opt = tf.train.sgd(0.05);
  for (let i = 0; i < 3; i++) step(m, opt);
  const steps: number[] = [];
  const floors: number[] = [];
  mlpGemmFloor(128, 1, {cacheHit: false}); // warms up the GEMM shapes
  for (let r = 0; r < rounds; r++) {
    steps.push(timeSteps(m, opt, 0, 3, 1).ms);
    floors.push(mlpGemmFloor(128, 1, {warmup: 0, cacheHit: false}).floor);
  }
  const last = mlpGemmFloor(128, 5);
  m.dispose();
  opt.dispose();
  const ratios = steps.map((s, i) => s / floors[i]);
  return {steps, floors, ratios, last, step: median(steps), floor: median(floors), ratio: median(ratios)};
}

function trainConvnet(label: string, warmup: number, steps: number, repeats: number): number | undefined {
  const m = convnet();
  const opt = tf.train.sgd(0.05);
  try {
    const first = step(m, opt);
    const r = timeSteps(m, opt, warmup, steps, repeats);
    const last = step(m, opt);
    log(`  ${label.padEnd(34)} ${fmt(r.ms).padStart(7)} ms/step   (repeats: ${r.all.map(fmt).join(', ')}; loss ${first.toFixed(3)} -> ${last.toFixed(3)})`);
    return r.ms;
  } catch (e) {
    log(`  ${label.padEnd(34)}    FAILS: ${String((e as Error).message ?? e).split('\n')[0]}`);
    return undefined;
  } finally {
    m.dispose();
    opt.dispose();
  }
}

/** PyTorch's figures come from the threads sweep (measured now); without torch, the reference file's. */
function torchReference() {
  const st = torchStatus();
  if (st.ok) return log(`  measured in the threads table below (${st.note})`);
  const ref = JSON.parse(fs.readFileSync(path.join(REPO, 'tools/goldens/training_reference.json'), 'utf8'));
  log(`  ${st.note}. Reference figures (tools/goldens/training_reference.json, PyTorch 1.13 CPU, same MLP step, NOT from this run):`);
  for (const r of ref.benchmark_mlp.summary) log(`    ${r.blas_variant}, ${r.threads} thread(s): ${fmt(r.median_ms_per_step)} ms/step`);
}

async function main() {
  tf.env().set('IS_TEST', true); // silences the tfjs-node banner; the leak check is off for non-test runs anyway
  tf.env().set('IS_TEST', false);
  log(`backends benchmark — Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  log('(shared machine: figures are medians of repeats; other jobs add noise of +-20% or more)\n');

  // ---- stock: tfjs-core's own gradients and kernels, before stable-train registers anything
  await tf.setBackend('wasm');
  log('MLP 784-512-512-10, batch 128, SGD, on wasm');
  const stockMlp = trainMlp('stock tfjs-wasm');
  const BATCHED = [[4, 256], [8, 128]] as const;
  const stockBatched = BATCHED.map(([b, n]) => batchedMatMulMs(b, n));
  log('\nConvnet conv3x3x16 -> conv3x3x32/2 -> dense10, 28x28x1, batch 64, SGD');
  trainConvnet('stock tfjs-wasm', 0, 1, 1);
  await tf.setBackend('cpu');
  const cpuConv = trainConvnet(`stock tfjs-cpu (${CPU_STEPS} steps)`, 0, CPU_STEPS, 1);

  // ---- ours
  const report = await setupBackend({backend: 'wasm'});
  log(`\nsetupBackend -> ${JSON.stringify({name: report.name, simd: report.simd, threads: report.threads, float32: report.float32})}`);
  log('\nMLP, ours, interleaved with its GEMM floor (each round: steps, then the GEMMs alone)');
  const mv = mlpVsFloor(QUICK ? 5 : 25);
  const oursMlp = mv.step;
  const floor = mv.last;
  log(`  stable-train wasm ${fmt(mv.step).padStart(21)} ms/step   (rounds: ${mv.steps.map(fmt).join(', ')})`);
  log('  GEMMs of one step, timed alone after the rounds (untransposed operands, median of 5; fresh operands / same operands):');
  for (const r of floor.rows) log(`    ${r.name.padEnd(34)} ${fmt(r.ms).padStart(6)} ms / ${fmt(r.warm).padStart(6)} ms${r.needed ? '' : '   (not computed by the step: layer-1 input is data)'}`);
  log(`  GEMM floor ${fmt(mv.floor)} ms with fresh operands as in a step (rounds: ${mv.floors.map(fmt).join(', ')}); after the rounds ${fmt(floor.floor)} ms, ${fmt(floor.warm)} ms reusing operands (a packed-weight cache hit), ${fmt(floor.all)} ms fresh incl. layer-1 dx`);
  log(`  step / floor per round: ${mv.ratios.map((r) => r.toFixed(2)).join(', ')}`);
  log('\nConvnet, ours');
  const oursConv = trainConvnet('stable-train wasm', 2, QUICK ? 2 : 4, QUICK ? 2 : 3);

  log('\nBatched matMul [b, n, n]·[b, n, n] (forward, median of 5; stock runs any batch > 1 as a scalar loop)');
  const oursBatched = BATCHED.map(([b, n]) => batchedMatMulMs(b, n));
  BATCHED.forEach(([b, n], i) => log(`  [${b}, ${n}, ${n}]: stock ${fmt(stockBatched[i])} ms, ours ${fmt(oursBatched[i])} ms -> ${(stockBatched[i] / oursBatched[i]).toFixed(1)}x`));

  log('\nSummary');
  log(`  MLP: stock ${fmt(stockMlp)} ms vs ours ${fmt(oursMlp)} ms -> ${(stockMlp / oursMlp).toFixed(1)}x faster (target >= 6x)`);
  log(`  MLP: ours / GEMM floor = ${mv.ratio.toFixed(2)} (median of ${mv.ratios.length} interleaved rounds, range ${Math.min(...mv.ratios).toFixed(2)}-${Math.max(...mv.ratios).toFixed(2)}; target <= 1.3)`);
  if (oursConv != null && cpuConv != null) {
    log(`  Convnet: stock wasm cannot train it; ours ${fmt(oursConv)} ms vs cpu ${fmt(cpuConv)} ms -> ${(cpuConv / oursConv).toFixed(1)}x the cpu backend's speed (target >= 5x)`);
  }
  log('\nPyTorch, same MLP');
  torchReference();

  log('\nThreads: the MLP and the convnet with 1, 2 and all WASM threads, next to PyTorch with the same thread counts');
  printThreadsSweep(threadsSweep({nets: ['mlp', 'convnet'], repeats: QUICK ? 2 : 5, steps: QUICK ? 5 : 50, warmup: QUICK ? 5 : 100}), log); // steady state (see wasm-threads.ts)
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
