// Child process for wasm_threads.test.ts: sets up WASM with the thread count given as argv[2]
// ('auto' or an integer) and the pool given as argv[3] ('gemm' default, or 'xnnpack'), runs a
// sweep of products through the GEMM kernel (hash of every output), trains a small MLP and a small convnet for a few SGD steps with fixed
// seeds, prints one JSON line, and returns without calling process.exit (the test checks that the
// process then ends by itself, i.e. no pthread worker keeps it alive).
import {createHash} from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import {setupBackend} from './setup_backend';
import {wasmGemmFor} from './wasm_gemm';

/** Products of every kind the kernel splits (column strips, leftover columns, row blocks, m = 1 sums), and large element-wise ops. */
function gemmSweep(): string {
  const h = createHash('sha256');
  const cases: [number, number, number, boolean, boolean][] = [
    [128, 300, 200, false, false], [37, 129, 61, true, false], [200, 64, 13, false, true], [9, 700, 300, true, true], [1, 1000, 1000, false, false],
  ];
  cases.forEach(([m, k, n, ta, tb], i) => tf.tidy(() => {
    const a = tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, 'float32', 100 + i);
    const b = tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, 'float32', 200 + i);
    const bias = tf.randomNormal([n], 0, 1, 'float32', 300 + i);
    for (const y of [tf.matMul(a, b, ta, tb), tf.fused.matMul({a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu'}), tf.sum(b, 0)]) {
      h.update(new Uint8Array(y.dataSync().buffer));
    }
  }));
  // large element-wise ops: stock XNNPACK on 1 thread, the pool's kernel on 2 (same IEEE bits)
  tf.tidy(() => {
    const x = tf.randomNormal([400, 400], 0, 1, 'float32', 400);
    const y = tf.randomNormal([400, 400], 0, 1, 'float32', 401);
    const row = tf.randomNormal([400], 0, 1, 'float32', 402);
    for (const z of [tf.add(x, y), tf.sub(x, tf.scalar(0.3)), tf.mul(tf.scalar(-0.05), y), tf.mul(x, row), tf.sub(row, y)]) {
      h.update(new Uint8Array(z.dataSync().buffer));
    }
  });
  return h.digest('hex');
}

async function main(): Promise<void> {
  const arg = process.argv[2] ?? '1';
  const pool = (process.argv[3] ?? 'gemm') as 'gemm' | 'xnnpack';
  const report = await setupBackend({backend: 'wasm', threads: arg === 'auto' ? 'auto' : Number(arg), threadPool: pool});
  const gemm = gemmSweep();
  const steps = 4;
  const train = (params: tf.Variable[], loss: () => tf.Scalar): number[] => {
    const opt = tf.train.sgd(0.05);
    const out: number[] = [];
    for (let i = 0; i < steps; i++) out.push((opt.minimize(loss, true, params) as tf.Scalar).dataSync()[0]);
    opt.dispose();
    return out;
  };
  // MLP 784-256-256-10 (the anchor's shape, narrower), batch 64, softmax cross-entropy.
  const x = tf.randomNormal([64, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({length: 64}, (_, i) => (i * 7) % 10), 'int32'), 10);
  const dims = [784, 256, 256, 10];
  const mlp = dims.slice(1).map((d, i) => tf.variable(tf.randomNormal([dims[i], d], 0, Math.sqrt(2 / dims[i]), 'float32', 10 + i)));
  const mlpLoss = train(mlp, () => tf.tidy(() => {
    let h: tf.Tensor2D = x as tf.Tensor2D;
    mlp.forEach((w, i) => (h = i < mlp.length - 1 ? tf.relu(tf.matMul(h, w as tf.Tensor2D)) as tf.Tensor2D : tf.matMul(h, w as tf.Tensor2D)));
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  }));
  // Convnet: conv3x3(8) 'same' -> maxPool 2 -> conv3x3(16) stride 2 -> dense 10.
  const img = tf.randomNormal([8, 16, 16, 3], 0, 1, 'float32', 2);
  const yc = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  const k1 = tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.3, 'float32', 20));
  const k2 = tf.variable(tf.randomNormal([3, 3, 8, 16], 0, 0.2, 'float32', 21));
  const wd = tf.variable(tf.randomNormal([4 * 4 * 16, 10], 0, 0.1, 'float32', 22));
  const convLoss = train([k1, k2, wd], () => tf.tidy(() => {
    let h = tf.relu(tf.conv2d(img as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'same'));
    h = tf.maxPool(h, 2, 2, 'same');
    h = tf.relu(tf.conv2d(h, k2 as tf.Tensor4D, 2, 'same'));
    return tf.losses.softmaxCrossEntropy(yc, tf.matMul(tf.reshape(h, [8, -1]), wd as tf.Tensor2D)) as tf.Scalar;
  }));
  const weights = [...mlp, k1, k2, wd].map((v) => Array.from(v.dataSync().slice(0, 16)));
  tf.dispose([x, y, img, yc, ...mlp, k1, k2, wd]);
  // tf.removeBackend stops the GEMM pool's workers
  const engine = wasmGemmFor(tf.findBackend('wasm')!)!;
  const workers = engine.workerCount;
  tf.removeBackend('wasm');
  for (let i = 0; i < 100 && engine.exited < workers; i++) await new Promise((r) => setTimeout(r, 20));
  const out = {threads: report.threads, threadPool: report.threadPool ?? null, notes: report.notes, gemm, mlpLoss, convLoss, weights, workers, exited: engine.exited};
  console.log(JSON.stringify(out));
}

void main();
