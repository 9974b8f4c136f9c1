import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import * as path from 'node:path';
import {callbacks, optimizers} from '@stable-train/layers';
import {registerFileSystem} from '@stable-train/layers/node';

registerFileSystem(); // file:// URLs for model.save, tf.loadLayersModel and modelCheckpoint
const dir = path.join(os.tmpdir(), 'st-layers-readme');
const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [2]})]});
model.compile({optimizer: optimizers.adam({lr: 0.01}), loss: 'meanSquaredError'});
const ckpt = callbacks.modelCheckpoint({filepath: `file://${dir}/best`, monitor: 'loss', saveBestOnly: true});
await model.fit(tf.ones([8, 2]), tf.ones([8, 1]), {epochs: 3, verbose: 0, callbacks: [ckpt]});
const back = await tf.loadLayersModel(`file://${dir}/best/model.json`);
console.log(ckpt.saved.length > 0, back.optimizer.getClassName()); // true StableTrainAdam
