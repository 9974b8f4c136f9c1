// One child of the threads sweep (tools/bench/lib/threads_sweep.ts): starts stable-train's WASM
// backend with `--threads N` (the count is fixed per process), trains one of the backends
// benchmark's nets with SGD and prints `{"threads": in use, "ms": median ms/step, "notes": [...]}`.
//   npx tsx tools/bench/lib/threads_child.ts --threads 2 --net mlp --steps 20 --warmup 3 [--pool gemm|xnnpack]
import * as tf from '@tensorflow/tfjs-core';
import {setupBackend} from '../../../packages/stable-train/src/backends';
import {convnet, mlp, step} from '../backends_models';
import {median, now, parseFlags} from './common';

async function main(): Promise<void> {
  const flags = parseFlags();
  const threads = flags.num('threads', 1);
  const net = flags.get('net') ?? 'mlp';
  if (net !== 'mlp' && net !== 'convnet') throw new Error(`threads_child: net must be 'mlp' or 'convnet', got ${JSON.stringify(net)}`);
  const pool = flags.get('pool') ?? 'gemm'; // setupBackend's default: stable-train's kernels on the threads
  if (pool !== 'gemm' && pool !== 'xnnpack') throw new Error(`threads_child: pool must be 'gemm' or 'xnnpack', got ${JSON.stringify(pool)}`);
  const r = await setupBackend({backend: 'wasm', threads, threadPool: pool});
  tf.env().set('PROD', true);
  const b = net === 'mlp' ? mlp() : convnet();
  const opt = tf.train.sgd(0.05);
  for (let i = 0; i < flags.num('warmup', 3); i++) step(b, opt);
  const t: number[] = [];
  for (let i = 0; i < flags.num('steps', 20); i++) {
    const t0 = now();
    step(b, opt); // reads the loss back, as a loop that logs it does
    t.push(now() - t0);
  }
  b.dispose();
  opt.dispose();
  process.stdout.write(JSON.stringify({threads: r.threads, ms: median(t), notes: r.notes ?? []}) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
