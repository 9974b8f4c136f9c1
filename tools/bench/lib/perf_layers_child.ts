// Child process of tools/bench/perf.ts: tfjs-layers `model.fit` of MLP 784-512-512-10 (batch 128,
// SGD 0.05) on STOCK tfjs-wasm — tfjs-core's own gradients and kernels, nothing of stable-train
// registered (it must run in its own process: stable-train's kernel patches are global).
// Prints one JSON line: {msPerStep: number[] (median per repeat), repeats, steps}.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';

const [warmup, steps, repeats, batch] = process.argv.slice(2).map(Number);

async function main() {
  await tf.setBackend('wasm');
  tf.env().set('PROD', true);
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({inputShape: [784], units: 512, activation: 'relu'}),
      tfl.layers.dense({units: 512, activation: 'relu'}),
      tfl.layers.dense({units: 10, activation: 'softmax'}),
    ],
  });
  model.compile({optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy'});
  const n = batch * (warmup + steps);
  const x = tf.randomNormal([n, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([n], 0, 10, 'int32', 2), 10).toFloat();
  const per: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const times: number[] = [];
    let t = 0;
    await model.fit(x, y, {
      batchSize: batch,
      epochs: 1,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onBatchBegin: async () => {
          t = performance.now();
        },
        onBatchEnd: async () => {
          times.push(performance.now() - t);
        },
      },
    });
    const s = times.slice(warmup).sort((a, b) => a - b);
    per.push(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
  }
  console.log(JSON.stringify({msPerStep: per, repeats, steps, backend: tf.getBackend()}));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
