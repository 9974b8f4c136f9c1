import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {mlp, residualCnn, residualMlp, rnn} from './index';
import {addingProblem, teacherStudent, twoSpirals} from '../data';
import {Trainer} from '../trainer';
import {evaluate} from '../evaluate';

describeBackends(['cpu', 'wasm'], (backend) => {
  it('mlp and residualMlp map [N, in] to [N, out], seeded, without leaks', async () => {
    const a = mlp({inputs: 6, hidden: [8, 8], outputs: 3, seed: 4, name: `ma-${backend}`});
    const b = mlp({inputs: 6, hidden: [8, 8], outputs: 3, seed: 4, name: `mb-${backend}`});
    const r = residualMlp({inputs: 6, width: 8, depth: 3, outputs: 3, name: `ra-${backend}`});
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 1);
    await expectNoLeak(() => {
      const ya = a.apply(x);
      const yb = b.apply(x);
      expect(ya.shape).toEqual([5, 3]);
      expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
      const yr = r.apply(x, {training: true});
      expect(yr.shape).toEqual([5, 3]);
      tf.dispose([ya, yb, yr]);
    });
    expect(a.variables.map((v) => v.name)).toContain(`ma-${backend}/head/kernel`);
    tf.dispose(x);
    [a, b, r].forEach((m) => m.dispose());
  });

  it('a residual MLP learns two spirals; the adding-problem RNN runs', async () => {
    const data = twoSpirals({samples: 256, noise: 0.05, seed: 2});
    const model = residualMlp({inputs: 2, width: 32, depth: 2, outputs: 2, name: `spiral-${backend}`, norm: 'none'});
    const opt = tf.train.adam(0.01);
    const t = new Trainer({model, optimizer: opt, logEvery: 0});
    await t.fit(data, {batchSize: 64, steps: 120});
    const {loss, accuracy} = await evaluate(model, data);
    expect(loss).toBeLessThan(0.6);
    expect(accuracy).toBeGreaterThan(0.6); // above chance (0.5) after 120 steps
    t.dispose();
    model.dispose();
    const seq = addingProblem({samples: 8, length: 5, seed: 1});
    const net = rnn({inputs: 2, units: 4, outputs: 1, name: `addrnn-${backend}`});
    const b = seq.batch([0, 1, 2]);
    const y = net.apply(b.x);
    expect(y.shape).toEqual([3, 1]);
    tf.dispose([y, b.x, b.y]);
    net.dispose();
  });
});

describe('datasets', () => {
  it('are seeded and validate their options', () => {
    const a = teacherStudent({samples: 20, inputs: 4, classes: 3, seed: 1});
    const b = teacherStudent({samples: 20, inputs: 4, classes: 3, seed: 1});
    const ba = a.batch([0, 1]);
    const bb = b.batch([0, 1]);
    expect(Array.from(ba.x.dataSync())).toEqual(Array.from(bb.x.dataSync()));
    tf.dispose([ba.x, ba.y, bb.x, bb.y]);
    expect(() => twoSpirals({samples: 1})).toThrow(/samples must be an integer >= 2, got 1/);
    expect(() => addingProblem({samples: 4, length: 1})).toThrow(/length must be an integer >= 2/);
    const s = addingProblem({samples: 3, length: 6, seed: 0});
    expect(s.inputShape).toEqual([6, 2]);
  });
});

describe('models build without leaks and with independent seeds (issue 20 item 12)', () => {
  it('mlp, rnn and residualCnn keep no tensor besides their variables; dispose frees everything', () => {
    const before = tf.memory().numTensors;
    const ms = [mlp({inputs: 6, hidden: new Array(20).fill(8), outputs: 3, name: 'leak-mlp'}),
      rnn({inputs: 2, units: 4, outputs: 1, name: 'leak-rnn'}),
      residualCnn({inputShape: [8, 8, 1], stem: 4, stages: [{filters: 4, blocks: 1}], outputs: 2, name: 'leak-cnn', norm: 'none'})];
    const vars = ms.reduce((n, m) => n + m.variables.length, 0);
    expect(tf.memory().numTensors - before).toBe(vars);
    ms.forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('mlp({seed: 1}) shares no layer with mlp({seed: 0})', () => {
    const a = mlp({inputs: 4, hidden: [4, 4, 4], outputs: 4, seed: 0, name: 'seed-a'});
    const b = mlp({inputs: 4, hidden: [4, 4, 4], outputs: 4, seed: 1, name: 'seed-b'});
    const kernels = (m: typeof a): string[] => m.variables.filter((v) => v.name.endsWith('kernel')).map((v) => Array.from(v.dataSync()).join(','));
    const ka = new Set(kernels(a));
    for (const k of kernels(b)) expect(ka.has(k)).toBe(false);
    a.dispose();
    b.dispose();
  });
});
