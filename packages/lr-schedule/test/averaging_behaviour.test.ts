// ema/swa beyond the goldens: evaluation swaps, checkpoints, tfjs-layers weights, leaks, errors;
// updateBatchNormStats on a tfjs-layers model with batch norm.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends, expectClose, expectNoLeak, useBackend} from '@stable-train/testing';
import {ema, swa, updateBatchNormStats} from '../src';

let uid = 0;
describeBackends(['cpu', 'wasm'], (backend) => {
  it('swapIn puts the average in, swapOut restores the raw weights; copyTo writes for good', () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, `avg_${backend}_${uid++}`);
    const avg = ema({decay: 0.5});
    avg.init([w]);
    w.assign(tf.tensor1d([3, 6]));
    avg.update([w]); // e = 0.5·[1,2] + 0.5·[3,6] = [2, 4]
    avg.swapIn([w]);
    expectClose(w, [2, 4]);
    expect(() => avg.swapIn([w])).toThrow('ema.swapIn: already swapped in; call swapOut() first');
    avg.swapOut();
    expectClose(w, [3, 6]);
    avg.copyTo([w]);
    expectClose(w, [2, 4]);
    avg.dispose();
    w.dispose();
  });

  it('getState/setState: a restored averager continues identically; no leaks per update', async () => {
    const ws = [tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, `ck_${backend}_${uid++}`), tf.variable(tf.tensor1d([0.5]), true, `ck_${backend}_${uid++}`)];
    const a = swa();
    a.init(ws);
    const step = (k: number) => ws.forEach((v) => v.assign(tf.tidy(() => tf.add(v, k))));
    for (let k = 1; k <= 3; k++) {
      step(k);
      a.update(ws);
    }
    const st = a.getState();
    const b = swa();
    b.setState(st);
    tf.dispose(Object.values(st.values));
    expect(b.nAveraged).toBe(3);
    for (let k = 4; k <= 6; k++) {
      step(k);
      await expectNoLeak(() => a.update(ws));
      b.update(ws);
    }
    for (const v of ws) expect(Array.from(b.values[v.name].dataSync())).toEqual(Array.from(a.values[v.name].dataSync()));
    a.dispose();
    b.dispose();
    tf.dispose(ws);
  });

  it('rejects misuse with clear errors', () => {
    const w = tf.variable(tf.zeros([2]), true, `err_${backend}_${uid++}`);
    const a = swa();
    expect(() => a.update([w])).toThrow('swa.update: call init(weights) first');
    a.init([w]);
    expect(() => a.update({other: w})).toThrow("swa.update: weights must have the names init had");
    expect(() => a.update({[w.name]: tf.zeros([3])})).toThrow(`swa.update: weights['${w.name}'] must have the average's shape [2], got a tensor of dtype float32, shape [3]`);
    expect(() => a.swapOut()).toThrow('swa.swapOut: nothing is swapped in');
    expect(() => a.copyTo({[w.name]: tf.zeros([2])})).toThrow('must be a tf.Variable or LayerVariable');
    expect(() => a.setState({nAveraged: -1, values: {}})).toThrow('swa.setState: state must be {nAveraged: integer >= 0');
    expect(() => ema({decay: 1.5})).toThrow('ema: decay must be a number in [0, 1], got 1.5');
    expect(() => ema({beta: 0.9} as never)).toThrow("ema: unknown option 'beta'; expected one of decay, copyOnFirstUpdate");
    a.dispose();
    w.dispose();
  });
});

describe('tfjs-layers models', () => {
  beforeAll(() => useBackend('cpu'));

  it('averages LayerVariables (model.trainableWeights) and swaps them in and out', () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 2, inputShape: [3]})]});
    const avg = ema({decay: 0.9});
    avg.init(model.trainableWeights);
    const before = model.getWeights().map((t) => Array.from(t.dataSync()));
    model.setWeights(model.getWeights().map((t) => tf.add(t, 1)));
    avg.update(model.trainableWeights); // e = w0 + 0.1
    avg.swapIn(model.trainableWeights);
    model.getWeights().forEach((t, i) => expectClose(t, before[i].map((x) => x + 0.1), {rtol: 1e-6, atol: 1e-6}));
    avg.swapOut();
    model.getWeights().forEach((t, i) => expectClose(t, before[i].map((x) => x + 1), {rtol: 1e-6, atol: 1e-6}));
    avg.dispose();
    model.dispose();
  });

  it('updateBatchNormStats: moving stats = mean over the batches of each batch\'s statistics (update_bn)', async () => {
    const bn = tfl.layers.batchNormalization({momentum: 0.99});
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 2, inputShape: [3], kernelInitializer: 'ones'}), bn]});
    const batches = [tf.tensor2d([[1, 0, 0], [0, 2, 0]]), tf.tensor2d([[0, 0, 3], [1, 1, 1], [2, 0, 0]])];
    // dense with ones kernel, zero bias: each unit outputs the row sum: batch means 1.5 and 8/3
    const n = await updateBatchNormStats(model, batches);
    expect(n).toBe(1);
    expect((bn as unknown as {momentum: number}).momentum).toBe(0.99); // restored
    const [, , mean, variance] = bn.getWeights(); // gamma, beta, movingMean, movingVariance
    const m1 = 1.5, m2 = 8 / 3; // row sums [1, 2] and [3, 3, 2]
    const v1 = 0.25, v2 = ((3 - m2) ** 2 + (3 - m2) ** 2 + (2 - m2) ** 2) / 3; // biased, as tfjs-layers
    expectClose(mean, [(m1 + m2) / 2, (m1 + m2) / 2], {rtol: 1e-6, atol: 1e-6});
    expectClose(variance, [(v1 + v2) / 2, (v1 + v2) / 2], {rtol: 1e-5, atol: 1e-6});
    await expect(updateBatchNormStats({} as never, [])).rejects.toThrow('updateBatchNormStats: model must have layers and apply(x, {training})');
    tf.dispose(batches);
    model.dispose();
  });
});
