import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as st from '@stable-train/regularizers';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import * as ours from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('each adapter gives the technique penalty of the weight (and l1/l2/l1l2 equal tfjs/Keras numbers)', () => {
    const w = tf.tensor2d([[0.5, -1, 0], [2, 0.25, -3], [1, 1, -0.5]]);
    const cases: [string, tf.Scalar, tf.Scalar][] = [
      ['l1', ours.l1({l1: 0.3}).apply(w), st.l1(0.3)({w})],
      ['l2', ours.l2({l2: 0.2}).apply(w), st.l2(0.2)({w})],
      ['l1l2', ours.l1l2({l1: 0.1, l2: 0.4}).apply(w), st.l1l2({l1: 0.1, l2: 0.4})({w})],
      ['orthogonal', ours.orthogonal({factor: 0.5, mode: 'columns'}).apply(w), st.orthogonalPenalty({factor: 0.5, mode: 'columns'})({w})],
      ['l2 default 0.01', ours.l2().apply(w), st.l2(0.01)({w})],
    ];
    for (const [name, a, b] of cases) expect({name, v: a.dataSync()[0]}).toEqual({name, v: b.dataSync()[0]});
    // Keras convention (no 1/2): Σw² = 0.25+1+4+0.0625+9+1+1+0.25 = 16.5625, Σ|w| = 9.25
    expectClose(cases[1][1], 0.2 * 16.5625, {rtol: 1e-6});
    expectClose(cases[0][1], tfl.regularizers.l1({l1: 0.3}).apply(w), {rtol: 1e-6});
    expectClose(cases[2][1], tfl.regularizers.l1l2({l1: 0.1, l2: 0.4}).apply(w), {rtol: 1e-6});
    tf.dispose([w, ...cases.flatMap(([, a, b]) => [a, b])]);
  });

  it('adds its penalty to the loss of a layer (model.losses) and leaks nothing', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({units: 3, inputShape: [4], kernelRegularizer: ours.l2({l2: 0.5}), useBias: false})],
    });
    model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
    const x = tf.zeros([2, 4]);
    const y = tf.zeros([2, 3]);
    // zero input and target: the training loss model.fit reports is the penalty alone (before the step)
    const k = model.getWeights()[0];
    const expected = tf.mul(0.5, tf.sum(tf.square(k)));
    const h = await model.fit(x, y, {epochs: 1, batchSize: 2, verbose: 0});
    expectClose(h.history.loss[0] as number, expected, {rtol: 1e-5});
    await expectNoLeak(() => ours.orthogonal().apply(k));
    tf.dispose([x, y, expected]);
    model.dispose();
  });
});

describe('regularizer configs and bad input', () => {
  it('serializes under prefixed class names', () => {
    expect(ours.l2({l2: 1e-4}).getConfig()).toEqual({l2: 1e-4});
    expect(ours.orthogonal({mode: 'rows'}).getClassName()).toBe('StableTrainOrthogonalRegularizer');
    const back = ours.StableTrainOrthogonalRegularizer.fromConfig(ours.StableTrainOrthogonalRegularizer, {factor: 0.1, mode: 'columns'});
    expect(back.getConfig()).toEqual({factor: 0.1, mode: 'columns'});
  });

  it('rejects bad options with the argument named, before any tensor is made', () => {
    const n = tf.memory().numTensors;
    expect(() => ours.l2({l2: -1})).toThrow('l2: scale must be a finite number >= 0, got -1');
    expect(() => ours.l1l2({l1: NaN})).toThrow('l1l2: l1 must be a finite number >= 0, got NaN');
    expect(() => ours.l2({l1: 1} as never)).toThrow("l2: unknown option 'l1'; expected 'l2'");
    expect(() => ours.orthogonal({mode: 'diag' as never})).toThrow("orthogonalPenalty: mode must be 'rows' or 'columns', got \"diag\"");
    expect(tf.memory().numTensors).toBe(n);
  });
});
