import * as tfl from '@tensorflow/tfjs-layers';
import {constraints, initializers, layers, regularizers} from '@stable-train/layers';

/** The small model the browser test trains: our initializers, regularizer, constraint, norm layers and a residual block. */
export function buildModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({units: 32, inputShape: [2], useBias: false, kernelInitializer: initializers.heNormal({nonlinearity: 'relu', seed: 1}),
    kernelRegularizer: regularizers.l2({l2: 1e-4}), kernelConstraint: constraints.maxNorm({maxValue: 4})}));
  m.add(layers.batchNormalization({runningVarianceConvention: 'pytorch'}));
  m.add(tfl.layers.activation({activation: 'relu'}));
  m.add(layers.residualDense({units: 32, norm: 'layerNormalization', gate: 'rezero'}));
  m.add(layers.rmsNormalization());
  m.add(layers.scalarGate({init: 1}));
  m.add(tfl.layers.dense({units: 2, activation: 'softmax', kernelInitializer: initializers.glorotUniform({seed: 2})}));
  return m;
}
