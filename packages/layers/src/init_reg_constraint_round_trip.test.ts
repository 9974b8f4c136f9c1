import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends} from '@stable-train/testing';
import {constraints, initializers, regularizers} from './index';

/** A functional model that uses every initializer, regularizer and constraint of this package. */
function build(): tfl.LayersModel {
  const inp = tfl.input({shape: [6, 6, 2]});
  let h = tfl.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: initializers.deltaOrthogonal({gain: 1.2, seed: 1}), kernelRegularizer: regularizers.orthogonal({factor: 0.01, mode: 'columns'}), kernelConstraint: constraints.maxNorm({maxValue: 2}), biasInitializer: initializers.constant({value: 0.1})}).apply(inp) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: initializers.dirac(), kernelConstraint: constraints.unitNorm({axis: [0, 1, 2]})}).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.conv2d({filters: 4, kernelSize: 1, kernelInitializer: initializers.heNormal({mode: 'fan_out', nonlinearity: 'leaky_relu', a: 0.1, seed: 2}), activation: 'relu'}).apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const dense = (units: number, o: Record<string, unknown>) => tfl.layers.dense({units, ...o}).apply(h) as tfl.SymbolicTensor;
  h = dense(12, {kernelInitializer: initializers.heUniform({seed: 3}), kernelRegularizer: regularizers.l2({l2: 1e-3}), activation: 'relu'});
  h = dense(12, {kernelInitializer: initializers.glorotUniform({gain: 0.9, seed: 4}), kernelRegularizer: regularizers.l1({l1: 1e-4}), kernelConstraint: constraints.minMaxNorm({minValue: 0.1, maxValue: 1.5, rate: 0.5})});
  h = dense(12, {kernelInitializer: initializers.glorotNormal({seed: 5}), kernelRegularizer: regularizers.l1l2({l1: 1e-5, l2: 1e-4}), biasConstraint: constraints.nonNeg(), biasInitializer: initializers.uniform({min: 0, max: 0.1, seed: 6})});
  h = dense(12, {kernelInitializer: initializers.lecunNormal({seed: 7}), activation: 'selu'});
  h = dense(12, {kernelInitializer: initializers.lecunUniform({seed: 8})});
  h = dense(12, {kernelInitializer: initializers.orthogonal({gain: Math.SQRT2, seed: 9})});
  h = dense(12, {kernelInitializer: initializers.identity(), biasInitializer: initializers.normal({std: 0.01, seed: 10})});
  h = dense(8, {kernelInitializer: initializers.varianceScaling({scale: 2, mode: 'fan_avg', distribution: 'truncated_normal', seed: 11})});
  const out = dense(3, {kernelInitializer: initializers.truncatedNormal({std: 0.05, a: -0.1, b: 0.1, seed: 12})});
  return tfl.model({inputs: inp, outputs: out});
}

describeBackends(['cpu', 'wasm'], (backend) => {
  it('a model with every initializer, regularizer and constraint fits, saves and reloads with identical config and predictions', async () => {
    const model = build();
    model.compile({optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError'});
    const x = tf.randomNormal([16, 6, 6, 2], 0, 1, 'float32', 1);
    const y = tf.randomNormal([16, 3], 0, 1, 'float32', 2);
    if (backend === 'cpu') {
      // stock tfjs-backend-wasm 4.22 has no conv2d gradient kernels (Conv2DBackpropFilter): fit on cpu
      const h = await model.fit(x, y, {epochs: 2, batchSize: 8, verbose: 0, callbacks: [constraints.enforceConstraints()]});
      expect((h.history.loss as number[]).every(Number.isFinite)).toBe(true);
    } else {
      constraints.applyConstraints(model);
    }

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    const json = JSON.stringify(saved!.modelTopology);
    for (const cls of ['StableTrainDeltaOrthogonal', 'StableTrainHeNormal', 'StableTrainVarianceScaling', 'StableTrainOrthogonalRegularizer', 'StableTrainL1L2', 'StableTrainMaxNorm', 'StableTrainMinMaxNorm', 'StableTrainNonNeg']) {
      expect(json).toContain(`"${cls}"`);
    }
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.toJSON(null, false)).toEqual(model.toJSON(null, false));
    // tfjs-layers writes loaded weights with LayerVariable.write, which applies each weight's
    // constraint once more (tfjs's own constraints too); the loaded model is the saved one plus that
    // projection (a ~1e-7 relative change from the 1e-7 epsilon), so project the original the same way
    constraints.applyConstraints(model);
    const p1 = model.predict(x) as tf.Tensor;
    const p2 = loaded.predict(x) as tf.Tensor;
    expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
    // the rebuilt objects are ours, with the same options (string values back in snake_case)
    const conv3 = loaded.layers[3] as unknown as {kernelInitializer: tf.serialization.Serializable};
    expect(conv3.kernelInitializer.getClassName()).toBe('StableTrainHeNormal');
    expect(conv3.kernelInitializer.getConfig()).toEqual({mode: 'fan_out', nonlinearity: 'leaky_relu', a: 0.1, seed: 2});
    tf.dispose([x, y, p1, p2]);
    model.dispose();
    loaded.dispose();
  });
});
