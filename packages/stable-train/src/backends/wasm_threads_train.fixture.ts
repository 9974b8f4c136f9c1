// Child process for wasm_threads.test.ts: sets up WASM with the thread count given as argv[2]
// ('auto' or an integer), trains a small MLP and a small convnet for a few SGD steps with fixed
// seeds, prints one JSON line, and returns without calling process.exit (the test checks that the
// process then ends by itself, i.e. no pthread worker keeps it alive).
import * as tf from '@tensorflow/tfjs-core';
import {setupBackend} from './setup_backend';

async function main(): Promise<void> {
  const arg = process.argv[2] ?? '1';
  const report = await setupBackend({backend: 'wasm', threads: arg === 'auto' ? 'auto' : Number(arg)});
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
  console.log(JSON.stringify({threads: report.threads, notes: report.notes, mlpLoss, convLoss, weights}));
  tf.dispose([x, y, img, yc, ...mlp, k1, k2, wd]);
}

void main();
