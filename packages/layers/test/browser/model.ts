import * as tfl from '@tensorflow/tfjs-layers';

/** The small model the browser test trains (extended with our layers once they land). */
export function buildModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({units: 32, inputShape: [2], activation: 'relu'}));
  m.add(tfl.layers.dense({units: 32, activation: 'relu'}));
  m.add(tfl.layers.dense({units: 2, activation: 'softmax'}));
  return m;
}
