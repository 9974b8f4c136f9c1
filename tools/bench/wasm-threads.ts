// WASM threads: `npx tsx tools/bench/wasm-threads.ts [--quick] [--threads 1,2] [--repeats 5] [--steps 20] [--warmup 3]`
//
// The anchor step (MLP 784-512-512-10, ReLU, batch 128, SGD, softmax cross-entropy, loss read
// every step; stable-train's WASM kernels) with 1, 2, ... WASM threads. The thread count is fixed
// per process, so each count runs in its own child process; the children run in turn, repeat by
// repeat, in alternating order, so machine drift and other jobs hit every count alike. Reports
// the median over repeats of each child's median ms/step, and the ratio to 1 thread.
import {spawnSync} from 'node:child_process';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {heNormal} from '@stable-train/initializers';
import {setupBackend} from '../../packages/stable-train/src/backends';
import {fmt, median, now, parseFlags, table} from './lib/common';

const flags = parseFlags();
const Q = flags.quick;

async function child(threads: number, steps: number, warmup: number): Promise<void> {
  const r = await setupBackend({backend: 'wasm', threads});
  tf.env().set('PROD', true);
  const x = tf.randomNormal([128, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
  const dims = [784, 512, 512, 10];
  const w = dims.slice(1).map((d, i) => tf.variable(heNormal()([dims[i], d], {seed: 10 + i})));
  const b = dims.slice(1).map((d) => tf.variable(tf.zeros([d])));
  const opt = tf.train.sgd(0.05);
  const step = (): void => {
    const cost = opt.minimize(() => {
      let h: tf.Tensor = x;
      w.forEach((wi, i) => {
        h = tf.add(tf.matMul(h as tf.Tensor2D, wi as tf.Tensor2D), b[i]);
        if (i < w.length - 1) h = tf.relu(h);
      });
      return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
    }, true, [...w, ...b]) as tf.Scalar;
    cost.dataSync();
    cost.dispose();
  };
  for (let i = 0; i < warmup; i++) step();
  const t: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = now();
    step();
    t.push(now() - t0);
  }
  process.stdout.write(JSON.stringify({threads: r.threads, ms: median(t)}) + '\n');
}

function parent(): void {
  const counts = flags.list('threads', [1, 2]);
  const repeats = flags.num('repeats', Q ? 2 : 5);
  const steps = flags.num('steps', Q ? 8 : 20);
  const warmup = flags.num('warmup', Q ? 2 : 3);
  const ms = new Map<number, number[]>(counts.map((c) => [c, []]));
  const inUse = new Map<number, number>();
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? counts : [...counts].reverse();
    for (const c of order) {
      const p = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', String(c), '--steps', String(steps), '--warmup', String(warmup)], {encoding: 'utf8', timeout: 300_000});
      if (p.status !== 0) throw new Error(`child with ${c} threads failed (status ${p.status}, signal ${p.signal}): ${p.stderr.slice(-800)}`);
      const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as {threads: number; ms: number};
      ms.get(c)!.push(out.ms);
      inUse.set(c, out.threads);
    }
  }
  const base = median(ms.get(counts[0])!);
  console.log(`anchor MLP step, ${repeats} interleaved repeats x ${steps} steps; cores reported: ${os.availableParallelism()}`);
  console.log(table(['threads asked', 'in use', 'median ms/step', `speed-up vs ${counts[0]}`, 'per-repeat medians'],
    counts.map((c) => [c, inUse.get(c) ?? '?', fmt(median(ms.get(c)!)), fmt(base / median(ms.get(c)!)), ms.get(c)!.map((v) => fmt(v)).join(' ')])));
}

if (flags.get('child') != null) void child(flags.num('child', 1), flags.num('steps', 20), flags.num('warmup', 3));
else parent();
