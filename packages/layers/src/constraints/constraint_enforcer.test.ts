import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends} from '@stable-train/testing';
import * as ours from './index';

/** Records the largest kernel column norm of the first layer after every batch. */
class ColumnNormProbe extends tfl.Callback {
  readonly maxNorms: number[] = [];
  override async onBatchEnd(): Promise<void> {
    // in fit, `this.model` is the Sequential's inner LayersModel: layers[0] is its InputLayer
    const k = this.model.layers.filter((l) => l.getWeights().length > 0)[0].getWeights()[0];
    this.maxNorms.push(tf.tidy(() => tf.max(tf.sqrt(tf.sum(tf.square(k), 0))).dataSync()[0]));
  }
}

function makeModel(constraint: 'ours' | 'tfjs'): tfl.Sequential {
  const kernelConstraint = constraint === 'ours' ? ours.maxNorm({maxValue: 1}) : tfl.constraints.maxNorm({maxValue: 1, axis: 0});
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({units: 8, inputShape: [4], activation: 'relu', kernelConstraint, kernelInitializer: tfl.initializers.glorotUniform({seed: 1})}),
      tfl.layers.dense({units: 1, kernelInitializer: tfl.initializers.glorotUniform({seed: 2})}),
    ],
  });
  // a large lr on a large target: without the constraint the kernel grows fast
  model.compile({optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError'});
  return model;
}

describeBackends(['cpu', 'wasm'], () => {
  const x = () => tf.randomNormal([64, 4], 0, 1, 'float32', 3);
  const y = (xs: tf.Tensor) => tf.mul(tf.sum(xs, 1, true), 10);

  for (const kind of ['ours', 'tfjs'] as const) {
    it(`without the enforcer model.fit ignores a ${kind} maxNorm({maxValue: 1}); with it every batch ends with columns <= 1`, async () => {
      const xs = x();
      const ys = y(xs);
      const plain = makeModel(kind);
      const probe1 = new ColumnNormProbe();
      await plain.fit(xs, ys, {epochs: 3, batchSize: 16, shuffle: false, verbose: 0, callbacks: [probe1]});
      expect(Math.max(...probe1.maxNorms)).toBeGreaterThan(3); // measured 3.34 after 12 batches (cpu and wasm) // tfjs-layers 4.22: the constraint never ran

      const fixed = makeModel(kind);
      const probe2 = new ColumnNormProbe();
      const before = tf.memory().numTensors;
      await fixed.fit(xs, ys, {epochs: 3, batchSize: 16, shuffle: false, verbose: 0, callbacks: [ours.enforceConstraints(), probe2]});
      expect(probe2.maxNorms.length).toBe(12);
      for (const n of probe2.maxNorms) expect(n).toBeLessThanOrEqual(1 + 1e-6);
      expect(Math.max(...probe2.maxNorms)).toBeGreaterThan(0.99); // the constraint was active, not idle
      expect(tf.memory().numTensors).toBe(before); // no leak over a fit of several epochs
      tf.dispose([xs, ys]);
      plain.dispose();
      fixed.dispose();
    });
  }
});

describe('ConstraintEnforcer outside fit', () => {
  it('says what is wrong when no model is set', async () => {
    await expect(ours.enforceConstraints().onBatchEnd()).rejects.toThrow(/ConstraintEnforcer: no model set/);
  });
});
