import * as tf from '@tensorflow/tfjs';
import {fromLayersModel} from '@stable-train/layers';
import {adam} from '@stable-train/lr-schedule';
import {createClipper} from '@stable-train/grad-clip';
import {Trainer} from 'stable-train';

await tf.setBackend('cpu'); // or 'wasm'
const model = tf.sequential({layers: [
  tf.layers.dense({units: 16, inputShape: [4], activation: 'relu'}),
  tf.layers.dense({units: 3}),
]});
const trainer = new Trainer({model: fromLayersModel(model), optimizer: adam({lr: 0.01}),
  transforms: [createClipper({mode: 'global_norm', maxNorm: 1})], logEvery: 0});
const x = tf.randomNormal([32, 4], 0, 1, 'float32', 1);
const y = tf.cast(tf.argMax(tf.slice(x, [0, 0], [32, 3]), 1), 'int32');
const first = await trainer.step({x, y});
for (let i = 0; i < 30; i++) await trainer.step({x, y});
const last = await trainer.step({x, y});
console.log(last.loss! < first.loss!); // true
