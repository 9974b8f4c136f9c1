import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as st from '@stable-train/regularizers';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import * as ours from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('each adapter gives the technique constraint\'s tensor (and tfjs\'s own numbers where the axes agree)', () => {
    const w = tf.tensor2d([[3, -0.1, 0.2], [4, 0.1, -0.4], [0, 0.2, 0.1]]);
    const cases: [string, tf.Tensor, tf.Tensor][] = [
      ['maxNorm', ours.maxNorm({maxValue: 1}).apply(w), st.maxNorm({maxValue: 1}).constrain(w)],
      ['maxNorm axis 1', ours.maxNorm({maxValue: 0.5, axis: 1}).apply(w), st.maxNorm({maxValue: 0.5, axis: 1}).constrain(w)],
      ['unitNorm', ours.unitNorm().apply(w), st.unitNorm().constrain(w)],
      ['nonNeg', ours.nonNeg().apply(w), st.nonNeg().constrain(w)],
      ['minMaxNorm', ours.minMaxNorm({minValue: 0.5, maxValue: 2, rate: 0.7}).apply(w), st.minMaxNorm({min: 0.5, max: 2, rate: 0.7}).constrain(w)],
    ];
    for (const [name, a, b] of cases) expect({name, v: Array.from(a.dataSync())}).toEqual({name, v: Array.from(b.dataSync())});
    // column 0 has norm 5 → scaled to 1: [0.6, 0.8, 0] (up to the 1e-7 epsilon)
    expectClose(tf.slice(cases[0][1], [0, 0], [3, 1]), [[0.6], [0.8], [0]], {rtol: 1e-6, atol: 1e-7});
    expectClose(cases[0][1], tfl.constraints.maxNorm({maxValue: 1, axis: 0}).apply(w), {rtol: 1e-6, atol: 1e-7});
    expectClose(cases[4][1], tfl.constraints.minMaxNorm({minValue: 0.5, maxValue: 2, rate: 0.7, axis: 0}).apply(w), {rtol: 1e-6, atol: 1e-7});
    tf.dispose([w, ...cases.flatMap(([, a, b]) => [a, b])]);
  });

  it('applyConstraints projects every constrained weight of a model in place (ours and tfjs\'s), leak-free', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({units: 4, inputShape: [3], kernelInitializer: tfl.initializers.randomNormal({stddev: 5, seed: 1}), kernelConstraint: ours.maxNorm({maxValue: 1}), biasInitializer: 'ones', biasConstraint: tfl.constraints.maxNorm({maxValue: 0.5, axis: 0})}),
        tfl.layers.dense({units: 2, kernelInitializer: tfl.initializers.randomNormal({mean: -1, seed: 2}), kernelConstraint: ours.nonNeg()}),
      ],
    });
    const kernel = model.layers[0].getWeights()[0];
    const names = ours.applyConstraints(model);
    expect(names.length).toBe(3);
    // the same variable objects, new values
    expect(model.layers[0].getWeights()[0]).toBe(kernel);
    const colNorms = tf.sqrt(tf.sum(tf.square(kernel), 0));
    for (const v of colNorms.dataSync()) expect(v).toBeLessThanOrEqual(1 + 1e-6);
    expectClose(tf.norm(model.layers[0].getWeights()[1]), 0.5, {rtol: 1e-5});
    expect(Math.min(...model.layers[1].getWeights()[0].dataSync())).toBe(0);
    await expectNoLeak(() => {
      ours.applyConstraints(model);
    });
    tf.dispose(colNorms);
    model.dispose();
  });
});

describe('constraint configs and bad input', () => {
  it('serializes under prefixed class names with Keras argument names', () => {
    const c = ours.minMaxNorm({minValue: 0.1, maxValue: 3, rate: 0.5, axis: [0, 1]});
    expect(c.getClassName()).toBe('StableTrainMinMaxNorm');
    expect(c.getConfig()).toEqual({minValue: 0.1, maxValue: 3, rate: 0.5, axis: [0, 1]});
    expect(ours.StableTrainMinMaxNorm.fromConfig(ours.StableTrainMinMaxNorm, c.getConfig()).getConfig()).toEqual(c.getConfig());
  });

  it('rejects bad options with the argument named, before any tensor is made', () => {
    const n = tf.memory().numTensors;
    expect(() => ours.maxNorm({maxValue: 0})).toThrow('maxNorm: maxValue must be a finite number > 0, got 0');
    expect(() => ours.maxNorm({max_value: 1} as never)).toThrow("maxNorm: unknown option 'max_value'; expected 'maxValue', 'axis'");
    expect(() => ours.unitNorm({axis: 1.5})).toThrow(/unitNorm: axis must be an integer or a non-empty list of distinct integers, got 1.5/);
    expect(() => ours.minMaxNorm({minValue: 2, maxValue: 1})).toThrow('minMaxNorm: max must be >= min (2), got 1');
    expect(() => ours.minMaxNorm({rate: 2})).toThrow('minMaxNorm: rate must be a number in [0, 1], got 2');
    expect(() => ours.applyConstraints({} as never)).toThrow('applyConstraints: model must be a tf.LayersModel or tf.layers.Layer, got {}');
    expect(tf.memory().numTensors).toBe(n);
  });
});
