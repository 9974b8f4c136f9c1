// Training-mode batch norm on wasm: the composite formula our package uses vs tf.batchNorm (the
// FusedBatchNorm kernel with its registered gradient), forward alone and forward + backward.
// Prints medians of repeats and the ratio fused / composite (> 1 means the composite is faster).
// Run: npx tsx tools/bench/batchnorm-fused.ts
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import {batchNormTrain} from '@stable-train/batchnorm';

const REPEATS = 15;
const WARMUP = 3;
const EPS = 1e-5;

type BN = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;

const composite: BN = (x, g, b) => batchNormTrain(x, g, b, EPS).y;

// tf.batchNorm with batch statistics, rank-1 statistics. The stock FusedBatchNorm gradient only
// works for 4-D x with rank-1 statistics ([N, C] with rank-1 statistics throws in its tile; with
// [1, C] statistics its scale gradient is not reduced and throws), so [N, C] goes through
// [N, 1, 1, C].
const fused: BN = (x, g, b) => {
  const x4 = x.rank === 4 ? x : tf.reshape(x, [x.shape[0], 1, 1, -1]);
  const meanK = tf.mean(x4, [0, 1, 2], true);
  const variance = tf.mean(tf.square(tf.sub(x4, meanK)), [0, 1, 2]);
  const y = tf.batchNorm(x4, tf.reshape(meanK, [-1]), variance, b, g, EPS);
  return x.rank === 4 ? y : tf.reshape(y, x.shape);
};

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => tf.Tensor[]): number {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const t0 = performance.now();
    const out = fn();
    for (const t of out) t.dataSync(); // wait for the result
    const dt = performance.now() - t0;
    tf.dispose(out);
    if (i >= WARMUP) times.push(dt);
  }
  return median(times);
}

function bench(shape: number[]): void {
  const c = shape[shape.length - 1];
  const x = tf.randomNormal(shape, 0.5, 2, 'float32', 1);
  const up = tf.randomNormal(shape, 0, 1, 'float32', 2);
  const g = tf.randomUniform([c], 0.5, 1.5, 'float32', 3);
  const b = tf.randomNormal([c], 0, 1, 'float32', 4);
  const fwd = (f: BN) => () => [f(x, g, b)];
  const both = (f: BN) => () => tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(f(a, s, o), up)))([x, g, b]);
  // same gradients? (a check that the comparison is fair)
  const gc = both(composite)();
  const gf = both(fused)();
  const diff = Math.max(
    ...gc.map((t, i) => tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(t, gf[i]))), tf.max(tf.abs(t))).dataSync()[0])),
  );
  tf.dispose([...gc, ...gf]);
  const fc = time(fwd(composite));
  const ff = time(fwd(fused));
  const bc = time(both(composite));
  const bf = time(both(fused));
  console.log(
    `[${shape}]`.padEnd(16) +
      `forward: composite ${fc.toFixed(2)} ms, fused ${ff.toFixed(2)} ms, fused/composite ${(ff / fc).toFixed(2)} | ` +
      `fwd+bwd: composite ${bc.toFixed(2)} ms, fused ${bf.toFixed(2)} ms, fused/composite ${(bf / bc).toFixed(2)} | ` +
      `grads agree to ${diff.toExponential(1)} of max|grad|`,
  );
  tf.dispose([x, up, g, b]);
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  console.log(`backend ${tf.getBackend()}, medians of ${REPEATS} repeats after ${WARMUP} warm-up`);
  for (const shape of [[256, 512], [32, 16, 16, 64], [16, 32, 32, 32], [8, 8, 8, 256]]) bench(shape);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
