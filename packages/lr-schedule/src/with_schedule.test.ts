import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {withSchedule} from './with_schedule';

// lr per step: step 1 uses lr 0, so a correctly driven optimizer must leave the parameter
// exactly unchanged there (momentum 0 everywhere so nothing carries over).
const LRS = [0.1, 0, 0.05];
const schedule = (i: number) => LRS[i];

const makers: [string, (lr: number) => tf.Optimizer][] = [
  ['sgd', (lr) => tf.train.sgd(lr)],
  ['momentum', (lr) => tf.train.momentum(lr, 0)],
  ['adam', (lr) => tf.train.adam(lr, 0.9, 0.999, 1e-7)],
  ['adamax', (lr) => tf.train.adamax(lr, 0.9, 0.999, 1e-7)],
  ['adagrad', (lr) => tf.train.adagrad(lr)],
  ['adadelta', (lr) => tf.train.adadelta(lr, 0.95, 1e-7)],
  ['rmsprop', (lr) => tf.train.rmsprop(lr, 0.9, 0, 1e-7)],
];

describeBackends(['cpu', 'wasm'], (backend) => {
  it.each(makers)('%s: the lr actually used follows the schedule', async (name, make) => {
    const v = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3]), true, `ws_${backend}_${name}`));
    const g = tf.tensor1d([0.5, 0.25, -1]);
    const opt = withSchedule(make(999), schedule); // the constructor lr is overridden from step 0
    const ref = make(LRS[0]);
    const vRef = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3]), true, `ws_ref_${backend}_${name}`));
    const deltas: number[][] = [];
    await expectNoLeak(() => {
      for (let i = 0; i < 3; i++) {
        const before = Array.from(v.dataSync());
        expect(opt.currentLr).toBe(LRS[i]);
        opt.applyGradients({[v.name]: g});
        deltas.push(Array.from(v.dataSync()).map((x, k) => x - before[k]));
      }
    }, {allowed: 20}); // the inner optimizer creates its slot variables on the first step
    ref.applyGradients({[vRef.name]: g});
    const refDelta = Array.from(vRef.dataSync()).map((x, k) => x - [1, -2, 3][k]);
    deltas[0].forEach((d, k) => expect(d).toBeCloseTo(refDelta[k], 6)); // step 0 = stock optimizer with lr 0.1
    expect(deltas[1]).toEqual([0, 0, 0]); // lr 0: no update (a cached lr would move it)
    expect(deltas[2].some((d) => Math.abs(d) > 1e-4)).toBe(true); // lr 0.05: moves again
    expect(opt.step).toBe(3);
    opt.dispose();
    ref.dispose();
    tf.dispose([v, vRef, g]);
  });
});

describe('withSchedule errors', () => {
  it('rejects a non-optimizer and a non-function schedule', () => {
    expect(() => withSchedule({} as tf.Optimizer, () => 1)).toThrow('withSchedule: optimizer must be a tfjs-core optimizer');
    const o = tf.train.adam(0.1);
    expect(() => withSchedule(o, 0.1 as never)).toThrow('withSchedule: schedule must be a function (step) => number, got 0.1');
    const bad = withSchedule(o, () => -1);
    expect(() => bad.currentLr).toThrow('withSchedule: schedule(0) must be a finite number >= 0, got -1');
    o.dispose();
  });
});
