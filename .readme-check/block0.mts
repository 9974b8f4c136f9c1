import * as tf from '@tensorflow/tfjs';
import {callbacks, constraints, initializers, layers, optimizers, regularizers} from '@stable-train/layers';
import {cosineDecay} from '@stable-train/lr-schedule';

const model = tf.sequential();
model.add(tf.layers.dense({
  units: 32, inputShape: [8], useBias: false,
  kernelInitializer: initializers.heNormal({mode: 'fan_in', nonlinearity: 'relu', seed: 1}),
  kernelRegularizer: regularizers.l2({l2: 1e-4}),
  kernelConstraint: constraints.maxNorm({maxValue: 3}),
}));
model.add(layers.batchNormalization({runningVarianceConvention: 'pytorch'}));
model.add(tf.layers.activation({activation: 'relu'}));
model.add(layers.residualDense({units: 32, norm: 'layerNormalization', gate: 'rezero'}));
model.add(tf.layers.dense({units: 1, kernelInitializer: initializers.glorotUniform({seed: 2})}));

const clipped = optimizers.withClipping(optimizers.adamw({lr: 1e-3, weightDecay: 1e-2}),
  optimizers.createClipper({mode: 'global_norm', maxNorm: 1}));
model.compile({optimizer: optimizers.applyIfFinite(clipped, {maxConsecutive: 5}), loss: 'meanSquaredError'});

const x = tf.randomNormal([256, 8], 0, 1, 'float32', 3);
const y = tf.sum(x, 1, true);
const stop = callbacks.earlyStopping({monitor: 'val_loss', patience: 5, restoreBestWeights: true});
const history = await model.fit(x, y, {
  epochs: 20, batchSize: 32, validationSplit: 0.25, verbose: 0,
  callbacks: [
    callbacks.learningRateScheduler(cosineDecay({initial: 3e-3, decaySteps: 120, final: 1e-4}), {per: 'batch'}),
    callbacks.reduceLROnPlateau({monitor: 'val_loss', factor: 0.5, patience: 2}),
    callbacks.explosionGuard({spikeFactor: 20, maxRollbacks: 3}),
    callbacks.enforceConstraints(), // tfjs-layers 4.22 never applies kernelConstraint in fit: see below
    stop,
  ],
});
const losses = history.history.val_loss as number[];
console.log(`val loss ${losses[0].toFixed(3)} -> best ${Math.min(...losses).toFixed(3)} (epoch ${stop.bestEpoch + 1})`);

// save with the optimizer state and load back: same predictions, training continues where it stopped
let saved: tf.io.ModelArtifacts | undefined;
await model.save(tf.io.withSaveHandler(async (a) => {
  saved = a;
  return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
}), {includeOptimizer: true});
const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
console.log(back.optimizer.getClassName()); // StableTrainApplyIfFinite
