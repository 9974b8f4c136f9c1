// clipByGlobalNorm (everything on device, nothing read back) vs the naive loop a TF.js user
// writes without it (each tensor's norm read back to the host, the coefficient computed in JS,
// then multiplied in; once with tf.norm, once with the same sum of squares as ours).
// 100 tensors, 10M parameters in all, on wasm and cpu. Prints medians of
// repeats and the ratios naive / ours (> 1 means clipByGlobalNorm is faster), measured in one run.
// Run: npx tsx tools/bench/grad-clip-global-norm.ts [--repeats 9] [--backends wasm,cpu]
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {clipByGlobalNorm} from '@stable-train/grad-clip';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const REPEATS = Number(arg('repeats', '9'));
const WARMUP = 2;
const BACKENDS = arg('backends', 'wasm,cpu').split(',');
const N_TENSORS = 100;
const PER_TENSOR = 100_000; // 100 × 100k = 10M parameters
const MAX_NORM = 1;

/** What people write without the package: one host read per tensor. */
function naiveClip(grads: tf.NamedTensorMap, maxNorm: number): {grads: tf.NamedTensorMap; norm: number} {
  let sumSq = 0;
  for (const g of Object.values(grads)) {
    const n = tf.norm(g);
    sumSq += n.dataSync()[0] ** 2; // host sync
    n.dispose();
  }
  const norm = Math.sqrt(sumSq);
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  const out: tf.NamedTensorMap = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, coef);
  return {grads: out, norm};
}

/** Same on-device math as clipByGlobalNorm (sum of squares), but read back per tensor. */
function naiveSumSq(grads: tf.NamedTensorMap, maxNorm: number): {grads: tf.NamedTensorMap; norm: number} {
  let sumSq = 0;
  for (const g of Object.values(grads)) {
    const s = tf.tidy(() => tf.sum(tf.square(g)));
    sumSq += s.dataSync()[0]; // host sync
    s.dispose();
  }
  const norm = Math.sqrt(sumSq);
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  const out: tf.NamedTensorMap = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.mul(g, coef);
  return {grads: out, norm};
}

function ours(grads: tf.NamedTensorMap, maxNorm: number): {grads: tf.NamedTensorMap; norm: number} {
  const r = clipByGlobalNorm(grads, maxNorm);
  const norm = r.norm.dataSync()[0]; // one read at the end, as a training loop that logs it would
  r.norm.dispose();
  return {grads: r.grads, norm};
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(fn: typeof ours, grads: tf.NamedTensorMap): {ms: number; norm: number} {
  const t0 = performance.now();
  const r = fn(grads, MAX_NORM);
  // cpu and wasm run kernels synchronously, so the clipped tensors exist here; touch the last one
  Object.values(r.grads)[N_TENSORS - 1].dataSync();
  const ms = performance.now() - t0;
  tf.dispose(r.grads);
  return {ms, norm: r.norm};
}

async function main() {
  console.log(`clipByGlobalNorm vs naive host-read loop: ${N_TENSORS} tensors × ${PER_TENSOR} = ${(N_TENSORS * PER_TENSOR) / 1e6}M params, ${REPEATS} repeats (+${WARMUP} warm-up), medians`);
  const rows: string[][] = [['backend', 'ours ms', 'naive tf.norm ms', 'ratio', 'naive sum(g²) ms', 'ratio', 'norms agree']];
  const fns: [string, typeof ours][] = [['ours', ours], ['norm', naiveClip], ['sumsq', naiveSumSq]];
  for (const backend of BACKENDS) {
    if (!(await tf.setBackend(backend))) throw new Error(`cannot use backend ${backend}`);
    await tf.ready();
    const grads: tf.NamedTensorMap = {};
    for (let i = 0; i < N_TENSORS; i++) grads[`layer${i}/kernel`] = tf.randomNormal([PER_TENSOR], 0, 0.01, 'float32', i);
    const ms: number[][] = fns.map(() => []);
    const norms: number[] = fns.map(() => 0);
    for (let r = 0; r < WARMUP + REPEATS; r++) {
      // rotate the order so drift on the shared machine hits all alike
      for (let j = 0; j < fns.length; j++) {
        const k = (j + r) % fns.length;
        const t = time(fns[k][1], grads);
        if (r >= WARMUP) ms[k].push(t.ms);
        norms[k] = t.norm;
      }
    }
    tf.dispose(grads);
    const [mo, mn, ms2] = ms.map(median);
    const agree = norms.every((n) => Math.abs(n - norms[0]) <= 1e-5 * Math.abs(norms[0]));
    rows.push([backend, mo.toFixed(1), mn.toFixed(1), (mn / mo).toFixed(2), ms2.toFixed(1), (ms2 / mo).toFixed(2), `${agree} (${norms.map((n) => n.toPrecision(7)).join(' / ')})`]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
