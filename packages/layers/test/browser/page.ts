// Runs in Chromium (bundled by run.mjs): trains a small tf.layers model built with
// @stable-train/layers on the backend named in ?backend=, with our optimizers and callbacks, and
// leaves the outcome in window.__layersTest for the runner to check.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgl';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import {callbacks, optimizers} from '@stable-train/layers';
import {createClipper} from '@stable-train/grad-clip';
import {cosineDecay} from '@stable-train/lr-schedule';
import {buildModel} from './model';

interface Result {
  backend?: string;
  losses?: number[];
  accuracy?: number;
  rollbacks?: number;
  reloadedSame?: boolean;
  maxDiff?: number;
  checkpoints?: number;
  checkpointLoads?: boolean;
  leaked?: number;
  done?: boolean;
  error?: string;
}
const w = window as unknown as {__layersTest: Result};
w.__layersTest = {};

async function main(): Promise<void> {
  const backend = new URLSearchParams(location.search).get('backend') ?? 'webgl';
  setWasmPaths(new URL('wasm/', location.href).href);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  await tf.ready();
  w.__layersTest.backend = tf.getBackend();
  // two classes: inside vs outside a circle of radius 1.2 in 2-D
  const n = 512;
  const x = tf.randomUniform([n, 2], -2, 2, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.cast(tf.less(tf.sum(tf.square(x), 1), 1.44), 'int32'), 2));
  const model = buildModel();
  const adamw = optimizers.adamw({lr: 0.01, weightDecay: 1e-4, eps: 1e-8});
  model.compile({optimizer: optimizers.applyIfFinite(optimizers.withClipping(adamw, createClipper({mode: 'globalNorm', maxNorm: 1}))), loss: 'categoricalCrossentropy', metrics: ['accuracy']});
  const guard = callbacks.explosionGuard({verbose: 0});
  const ckpt = callbacks.modelCheckpoint({filepath: 'indexeddb://stable-train-layers-ckpt', monitor: 'val_loss', saveBestOnly: true});
  await model.fit(x, y, {epochs: 1, batchSize: 32, verbose: 0}); // creates the optimizer's slots
  const before = tf.memory().numTensors;
  const h = await model.fit(x, y, {
    epochs: 25, batchSize: 32, verbose: 0, validationSplit: 0.25,
    callbacks: [
      callbacks.learningRateScheduler(cosineDecay({initial: 0.03, decaySteps: 25 * 12, final: 0.003}), {per: 'batch'}),
      callbacks.reduceLROnPlateau({patience: 3}),
      guard,
      callbacks.terminateOnNaN(),
      callbacks.earlyStopping({patience: 10, restoreBestWeights: true}),
      callbacks.enforceConstraints(),
      ckpt,
    ],
  });
  w.__layersTest.leaked = tf.memory().numTensors - before;
  w.__layersTest.losses = h.history.loss as number[];
  w.__layersTest.rollbacks = guard.rollbacks;
  const acc = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(y, 1)), 'float32')));
  w.__layersTest.accuracy = (await acc.data())[0];
  // save to IndexedDB and load back: same predictions
  await model.save('indexeddb://stable-train-layers-test', {includeOptimizer: true});
  const back = await tfl.loadLayersModel('indexeddb://stable-train-layers-test');
  const [p, q] = [model.predict(x) as tf.Tensor, back.predict(x) as tf.Tensor];
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))));
  // tfjs-layers re-applies kernelConstraint (maxNorm) when it writes loaded weights: ulps move
  w.__layersTest.maxDiff = (await diff.data())[0];
  w.__layersTest.reloadedSame = w.__layersTest.maxDiff <= 1e-5;
  w.__layersTest.checkpoints = ckpt.saved.length;
  const best = await tfl.loadLayersModel('indexeddb://stable-train-layers-ckpt');
  w.__layersTest.checkpointLoads = best.optimizer != null && best.optimizer.getClassName() === 'StableTrainApplyIfFinite';
  best.dispose();
  tf.dispose([x, y, acc, p, q, diff]);
  w.__layersTest.done = true;
}

main().catch((e) => {
  w.__layersTest.error = String(e && (e as Error).stack ? (e as Error).stack : e);
});
