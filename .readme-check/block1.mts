import * as tf from '@tensorflow/tfjs';
import {optimizers} from '@stable-train/layers';
import {oneCycle, oneCycleMomentum} from '@stable-train/lr-schedule';

const cyc = {maxValue: 0.05, totalSteps: 100};
const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [3]})]});
model.compile({
  optimizer: optimizers.withSchedule(tf.train.momentum(0.05, 0.95), oneCycle(cyc), {momentum: oneCycleMomentum(cyc)}),
  loss: 'meanSquaredError',
});
const [x, y] = [tf.ones([8, 3]), tf.ones([8, 1])];
await model.fit(x, y, {epochs: 3, batchSize: 4, verbose: 0});
let saved: tf.io.ModelArtifacts | undefined;
await model.save(tf.io.withSaveHandler(async (a) => {
  saved = a;
  return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
}), {includeOptimizer: true});
const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
const s = back.optimizer as optimizers.ScheduledOptimizer;
console.log(s.step, s.currentLr === (model.optimizer as optimizers.ScheduledOptimizer).currentLr); // 6 true
