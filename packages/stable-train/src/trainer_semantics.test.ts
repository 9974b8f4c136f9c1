// Issue 20 items 6-9 and 12: guard semantics, lr composition, rejected steps change nothing.
import * as tf from '@tensorflow/tfjs-core';
import {expectNoLeak} from '@stable-train/testing';
import {adam, cosineDecay, ReduceOnPlateau, sgd} from '@stable-train/lr-schedule';
import {createClipper} from '@stable-train/grad-clip';
import {captureOptimizerState} from './optimizer_state';
import {countReads} from './test_util';
import {Trainer} from './trainer';
import {tinyBatch, tinyModel} from './test_util';
import type {TrainerEvent} from './types';

async function stateOf(t: Trainer): Promise<number[][]> {
  const opt = await captureOptimizerState(t.optimizer);
  const out = [...t.model.variables.map((v) => Array.from(v.dataSync())), ...opt.map((s) => Array.from(s.tensor.dataSync()))];
  tf.dispose(opt.map((s) => s.tensor));
  return out;
}

describe('a rejected step changes no weight and no optimizer state (item 9)', () => {
  const optimizers: [string, () => tf.Optimizer][] = [
    ['tf.train.adam', () => tf.train.adam(0.01)], ['tf.train.momentum', () => tf.train.momentum(0.1, 0.9)],
    ['lr-schedule adam (AdamW decay)', () => adam({lr: 0.01, weightDecay: 0.1}) as tf.Optimizer], ['lr-schedule sgd', () => sgd({lr: 0.1, momentum: 0.9}) as tf.Optimizer],
  ];
  // rollback with a snapshot after every good step: the state after the rollback is the state before the bad step
  for (const policy of ['zero', 'skip', 'rollback'] as const) {
    it.each(optimizers)(`policy ${policy}, %s`, async (_n, make) => {
      const model = tinyModel();
      const optimizer = make();
      const decay = {apply: (vs: {[k: string]: tf.Variable}) => Object.values(vs).forEach((v) => v.assign(tf.mul(v, 0.5)))};
      const t = new Trainer({model, optimizer, logEvery: 1, guard: {policy, snapshotEvery: 1}, weightDecay: decay});
      const good = tinyBatch();
      const bad = {x: tf.fill([8, 4], NaN), y: good.y};
      await t.step(good);
      await t.step(good);
      const before = await stateOf(t);
      const r = await t.step(bad);
      expect(r.applied).toBe(false);
      expect(await stateOf(t)).toEqual(before);
      t.dispose();
      tf.dispose([good.x, good.y, bad.x]);
      model.dispose();
      optimizer.dispose();
    });
  }
});

describe('lr composition (items 7, 8)', () => {
  it('schedule + plateau, or either with a self-scheduled optimizer: a clear error at construction', () => {
    const model = tinyModel();
    const plateau = new ReduceOnPlateau({initial: 0.1});
    expect(() => new Trainer({model, optimizer: tf.train.sgd(0.1), schedule: 0.1, plateau})).toThrow(/schedule and plateau both set the lr/);
    const own = adam({lr: cosineDecay({initial: 0.01, decaySteps: 10})}) as tf.Optimizer;
    expect(() => new Trainer({model, optimizer: own, schedule: 0.1})).toThrow(/schedules its own lr; give the schedule to the optimizer or to the Trainer/);
    expect(() => new Trainer({model, optimizer: own, plateau})).toThrow(/schedules its own lr/);
    model.dispose();
  });

  it('a self-scheduled optimizer keeps working after a guard cut, and the logged lr is the lr used', async () => {
    const model = tinyModel();
    const sched = cosineDecay({initial: 0.01, decaySteps: 10});
    const optimizer = adam({lr: sched});
    const t = new Trainer({model, optimizer: optimizer as tf.Optimizer, logEvery: 1, guard: {maxConsecutive: 5}});
    const good = tinyBatch();
    const bad = {x: tf.fill([8, 4], 0), y: good.y};
    await t.step(good);
    // a NaN gradient (not a bad input) cuts the lr
    t.guard.setState({...t.guard.getState(), lrScale: 0.5});
    await t.step(good);
    await t.flush();
    // the optimizer has taken 2 updates; step 1 used sched(1) × 0.5, and that is what was logged
    expect(t.history[1].lr).toBeCloseTo(sched(1) * 0.5, 12);
    expect(optimizer.lr).toBe(sched); // its schedule is back after the step
    expect(t.currentLr()).toBeCloseTo(sched(2) * 0.5, 12);
    t.dispose();
    tf.dispose([good.x, good.y, bad.x]);
    model.dispose();
    optimizer.dispose();
  });

  it("the Trainer uses lr-schedule's public setLearningRate (its lr field is read-only)", async () => {
    const model = tinyModel();
    const optimizer = sgd({lr: 0.1});
    const t = new Trainer({model, optimizer: optimizer as tf.Optimizer, schedule: (s) => 0.1 / (s + 1), logEvery: 0});
    const b = tinyBatch();
    await t.step(b);
    await t.step(b);
    expect(optimizer.lr).toBe(0.05);
    expect(Object.getOwnPropertyDescriptor(optimizer, 'lr')).toBeUndefined(); // never written as a field
    t.dispose();
    tf.dispose([b.x, b.y]);
    model.dispose();
    optimizer.dispose();
  });
});

describe('silent bad values (items 10, 12)', () => {
  it("guard 'off': step returns the loss, and meanLoss reports a NaN step as NaN", async () => {
    const model = tinyModel();
    const optimizer = tf.train.sgd(0.01);
    const t = new Trainer({model, optimizer, logEvery: 0, guard: {policy: 'off'}});
    const b = tinyBatch();
    const r = await t.step(b);
    expect(r.loss).toBeGreaterThan(0);
    const bad = {x: tf.fill([8, 4], NaN), y: b.y};
    await t.step(bad);
    expect(await t.meanLoss()).toBeNaN();
    t.dispose();
    tf.dispose([b.x, b.y, bad.x]);
    model.dispose();
    optimizer.dispose();
  });

  it('an lr of 1e10 for one step is reported', async () => {
    const model = tinyModel();
    const optimizer = tf.train.sgd(0.01);
    const events: TrainerEvent[] = [];
    const t = new Trainer({model, optimizer, logEvery: 0, schedule: (s) => (s === 1 ? 1e10 : 0.01), onEvent: (e) => events.push(e)});
    const b = tinyBatch();
    for (let i = 0; i < 2; i++) await t.step(b);
    expect(events.find((e) => e.cause === 'huge-lr')?.message).toMatch(/lr 10000000000 at step 1/);
    t.dispose();
    tf.dispose([b.x, b.y]);
    model.dispose();
    optimizer.dispose();
  });

  it('an exception in the loss leaks no tensor', async () => {
    const model = tinyModel();
    const optimizer = tf.train.sgd(0.01);
    const b = tinyBatch();
    const t = new Trainer({model, optimizer, logEvery: 0, loss: (_y, p) => { tf.mul(p, 2); throw new Error('bad loss'); }});
    await expectNoLeak(async () => {
      await expect(t.step(b)).rejects.toThrow(/bad loss/);
    });
    t.dispose();
    tf.dispose([b.x, b.y]);
    model.dispose();
    optimizer.dispose();
  });

  it('step and epoch are read-only from outside', () => {
    const model = tinyModel();
    const t = new Trainer({model, optimizer: tf.train.sgd(0.1)});
    expect(() => { (t as {step_: number}).step_ = 5; }).toThrow();
    expect(() => { (t as {epoch: number}).epoch = 5; }).toThrow();
    model.dispose();
  });
});

describe('host reads (item 14)', () => {
  it("policy 'skip' with a global-norm clipper reads once per step; an unknown transform adds one finiteness read", async () => {
    for (const [transform, expected] of [[createClipper({mode: 'globalNorm', maxNorm: 1}), 1], [(g: {[k: string]: tf.Tensor}) => g, 1], [(g: {[k: string]: tf.Tensor}) => ({...g}), 2]] as const) {
      const model = tinyModel();
      const optimizer = tf.train.sgd(0.1);
      const t = new Trainer({model, optimizer, logEvery: 0, transforms: [transform]});
      const b = tinyBatch();
      await t.step(b);
      expect(await countReads(async () => { for (let i = 0; i < 4; i++) await t.step(b); })).toBe(4 * expected);
      t.dispose();
      tf.dispose([b.x, b.y]);
      model.dispose();
      optimizer.dispose();
    }
  });
});
