import * as tf from '@tensorflow/tfjs';
import {optimizers, callbacks} from '@stable-train/layers';
const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [3]})]});
model.compile({optimizer: optimizers.adam({lr: 0.01}), loss: 'meanSquaredError'});
const h = await model.fit(tf.ones([8, 3]), tf.ones([8, 1]), {epochs: 3, verbose: 0, callbacks: [callbacks.terminateOnNaN()]});
console.log(tf.getBackend(), h.history.loss);
