import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {Trainer} from './trainer';
import {softmaxCrossEntropy} from './losses';
import {getOptimizerLr} from './optimizer_lr';
import {countReads, tinyBatch, tinyModel} from './test_util';
import type {StepMetrics} from './step_metrics';
import type {GradTransform, TrainerEvent} from './types';
import {createClipper, globalNorm} from '@stable-train/grad-clip';

describeBackends(['cpu', 'wasm'], () => {
  it('one SGD step equals w - lr * grad computed by hand', async () => {
    const model = tinyModel();
    const batch = tinyBatch();
    const before = model.variables.map((v) => tf.clone(v));
    const {grads} = tf.variableGrads(() => {
      const logits = model.apply(batch.x, {training: true});
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]), tf.sub(logits, tf.logSumExp(logits, -1, true))), -1))) as tf.Scalar;
    }, model.variables);
    const opt = tf.train.sgd(1);
    const trainer = new Trainer({model, optimizer: opt, schedule: 0.1, logEvery: 0});
    const r = await trainer.step(batch);
    expect(r).toEqual({step: 0, applied: true, loss: expect.any(Number)});
    model.variables.forEach((v, i) => expectClose(v, tf.sub(before[i], tf.mul(0.1, grads[v.name])), {rtol: 1e-4, atol: 1e-6}));
    tf.dispose([...before, ...Object.values(grads), batch.x, batch.y]);
    model.dispose();
    opt.dispose();
  });

  it('accumulating 2 micro-batches equals one full batch', async () => {
    const run = async (k: number): Promise<number[]> => {
      const model = tinyModel(4, 8, 3, 3);
      const batch = tinyBatch(8);
      const opt = tf.train.adam(0.01);
      const trainer = new Trainer({model, optimizer: opt, accumulate: k, logEvery: 0});
      for (let i = 0; i < 3; i++) await trainer.step(batch);
      const out = Array.from(await model.variables[0].data());
      tf.dispose([batch.x, batch.y]);
      model.dispose();
      opt.dispose();
      return out;
    };
    expectClose(await run(2), await run(1), {rtol: 1e-4, atol: 1e-5});
  });

  it('follows the schedule for SGD (setLearningRate) and Adam (learningRate field)', async () => {
    for (const opt of [tf.train.sgd(1), tf.train.momentum(1, 0.9), tf.train.adam(1), tf.train.rmsprop(1)]) {
      const model = tinyModel();
      const batch = tinyBatch();
      const seen: number[] = [];
      const trainer = new Trainer({model, optimizer: opt, schedule: (s) => 0.01 / (s + 1), logEvery: 1, onStep: (m) => seen.push(m.lr)});
      for (let i = 0; i < 3; i++) await trainer.step(batch);
      await trainer.flush();
      expect(seen).toEqual([0.01, 0.005, 0.01 / 3]);
      expect(getOptimizerLr(opt)).toBeCloseTo(0.01 / 3, 12);
      tf.dispose([batch.x, batch.y]);
      model.dispose();
      opt.dispose();
    }
  });

  it("hands the guard's ‖g‖ to the transforms (GradContext), so a global-norm clipper reuses it", async () => {
    const model = tinyModel();
    const batch = tinyBatch();
    const seen: {same: boolean; norm: number; measured: number}[] = [];
    const clip = createClipper({mode: 'global_norm', maxNorm: 0.01});
    const spy: GradTransform = (g, p, ctx) => {
      const measured = globalNorm(g);
      seen.push({same: ctx?.grads === g, norm: ctx ? ctx.globalNorm.dataSync()[0] : NaN, measured: measured.dataSync()[0]});
      measured.dispose();
      return clip(g, p, ctx);
    };
    const opt = tf.train.sgd(0.1);
    const ms: StepMetrics[] = [];
    const trainer = new Trainer({model, optimizer: opt, guard: {policy: 'skip'}, logEvery: 1, transforms: [spy], onStep: (m) => ms.push(m)});
    for (let i = 0; i < 2; i++) await trainer.step(batch);
    await trainer.flush();
    expect(seen.map((x) => x.same)).toEqual([true, true]);
    seen.forEach((x) => expect(x.norm).toBeCloseTo(x.measured, 5));
    // the clip used it: the clipped norm is maxNorm (the raw norm is well above 0.01)
    ms.forEach((m) => expect(m.gradNormClipped).toBeCloseTo(0.01, 6));
    // without a reading guard no ctx is made (the transforms measure what they need)
    const off = new Trainer({model, optimizer: opt, guard: {policy: 'off'}, logEvery: 0, transforms: [spy]});
    await off.step(batch);
    expect(seen[2].same).toBe(false);
    tf.dispose([batch.x, batch.y]);
    model.dispose();
    opt.dispose();
  });

  it('reports metrics every logEvery steps with per-layer norms', async () => {
    const model = tinyModel();
    const batch = tinyBatch();
    const ms: StepMetrics[] = [];
    const clip = (g: tf.NamedTensorMap): tf.NamedTensorMap => {
      const out: tf.NamedTensorMap = {};
      for (const k of Object.keys(g)) out[k] = tf.mul(g[k], 0.5);
      return out;
    };
    const opt = tf.train.sgd(0.1);
    const trainer = new Trainer({model, optimizer: opt, logEvery: 2, transforms: [clip], onStep: (m) => ms.push(m)});
    for (let i = 0; i < 4; i++) await trainer.step(batch);
    await trainer.flush();
    expect(ms.map((m) => m.step)).toEqual([1, 3]);
    expect(ms[0].gradNormClipped).toBeCloseTo(ms[0].gradNorm / 2, 4);
    expect(ms[0].layers.map((l) => l.name)).toEqual(model.variables.map((v) => v.name));
    expect(ms[0].updateRatio).toBeGreaterThan(0);
    expect(ms[0].lr).toBeCloseTo(0.1);
    tf.dispose([batch.x, batch.y]);
    model.dispose();
    opt.dispose();
  });

  it('guard: a NaN batch is an event and is not trained on; rollback restores; give-up', async () => {
    const model = tinyModel();
    const events: TrainerEvent[] = [];
    const opt = tf.train.adam(0.01);
    const trainer = new Trainer({model, optimizer: opt, logEvery: 0, guard: {policy: 'rollback', maxConsecutive: 3, snapshotEvery: 1}, onEvent: (e) => events.push(e)});
    const good = tinyBatch();
    await trainer.step(good);
    const w = model.variables.map((v) => tf.clone(v));
    const bad = {x: tf.fill([8, 4], NaN), y: good.y};
    const r = await trainer.step(bad);
    expect(r.applied).toBe(false);
    expect(events[0]).toMatchObject({step: 1, kind: 'guard', cause: 'nonfinite-input', action: 'rollback'});
    model.variables.forEach((v, i) => expectClose(v, w[i]));
    await trainer.step(bad);
    await trainer.step(bad);
    expect(events[2].action).toBe('give-up');
    expect(trainer.guard.gaveUp).toBe(true);
    // a bad *input* batch is skipped without cutting the lr (issue 20 item 6)
    expect(trainer.guard.lrScale).toBe(1);
    // every judged step is in guardLog, the bad ones included (the report draws them)
    expect(trainer.guardLog.map((g) => [g.step, g.ok, g.cause])).toEqual([[0, true, undefined], [1, false, 'nonfinite-input'], [2, false, 'nonfinite-input'], [3, false, 'nonfinite-input']]);
    expect(trainer.guardLog[0].loss).toBeGreaterThan(0);
    expect(trainer.guardLog[2].lr).toBeCloseTo(0.01);
    tf.dispose([...w, good.x, good.y, bad.x]);
    trainer.dispose();
    model.dispose();
    opt.dispose();
  });

  it('every policy reads once per step (off: the loss; zero: one finiteness flag; skip: loss, norm, input flag)', async () => {
    for (const [policy, expected] of [['off', 1], ['zero', 1], ['skip', 1]] as const) {
      const model = tinyModel();
      const batch = tinyBatch();
      const opt = tf.train.sgd(0.1);
      const trainer = new Trainer({model, optimizer: opt, logEvery: 0, guard: {policy}});
      await trainer.step(batch);
      const n = await countReads(async () => {
        for (let i = 0; i < 5; i++) await trainer.step(batch);
      });
      expect(n).toBe(5 * expected);
      trainer.dispose();
      tf.dispose([batch.x, batch.y]);
      model.dispose();
    }
  });

  it('zero policy: a NaN step changes nothing and is reported at once', async () => {
    const model = tinyModel();
    const events: TrainerEvent[] = [];
    const opt = tf.train.sgd(0.1);
    const trainer = new Trainer({model, optimizer: opt, logEvery: 2, guard: {policy: 'zero'}, onEvent: (e) => events.push(e)});
    const good = tinyBatch();
    const bad = {x: tf.fill([8, 4], NaN), y: good.y};
    const w = model.variables.map((v) => tf.clone(v));
    await trainer.step(bad);
    await trainer.step(bad);
    await trainer.flush();
    model.variables.forEach((v, i) => expectClose(v, w[i]));
    expect(events).toMatchObject([{step: 0, action: 'zeroed'}, {step: 1, action: 'zeroed'}]);
    tf.dispose([...w, good.x, good.y, bad.x]);
    trainer.dispose();
    model.dispose();
  });

  it('rejects a batch of the wrong shape with a clear error', async () => {
    const model = tinyModel();
    const trainer = new Trainer({model, optimizer: tf.train.sgd(0.1)});
    const x = tf.zeros([2, 5]);
    const y = tf.zeros([2], 'int32');
    await expect(trainer.step({x, y})).rejects.toThrow(/shape \[2,5\] but the model expects \[N,4\]/);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('an exception in the loss or in a transform leaks no tensor and leaves the Trainer usable (issue 20 item 11)', async () => {
    const model = tinyModel();
    const batch = tinyBatch();
    const opt = tf.train.adam(0.01);
    let fail = '';
    const trainer = new Trainer({
      model, optimizer: opt, logEvery: 1, guard: {policy: 'rollback'},
      loss: (y, p) => {
        if (fail === 'loss') throw new Error('loss exploded');
        return softmaxCrossEntropy(y, p);
      },
      transforms: [(g) => {
        if (fail === 'transform') throw new Error('transform exploded');
        return Object.fromEntries(Object.entries(g).map(([k, t]) => [k, tf.mul(t, 0.5)]));
      }],
    });
    await trainer.step(batch); // optimizer slots and the rollback snapshot exist from here on
    await trainer.flush();
    for (const where of ['loss', 'transform']) {
      fail = where;
      await expectNoLeak(async () => {
        await expect(trainer.step(batch)).rejects.toThrow(`${where} exploded`);
      });
    }
    fail = '';
    expect((await trainer.step(batch)).applied).toBe(true);
    await trainer.flush();
    trainer.dispose();
    tf.dispose([batch.x, batch.y]);
    model.dispose();
    opt.dispose();
  });

  it('guardLog, history and events keep at most maxRecords entries, the newest (issue 20 item 11)', async () => {
    const model = tinyModel();
    const batch = tinyBatch();
    const bad = {x: tf.fill([8, 4], NaN), y: batch.y};
    const opt = tf.train.sgd(0.1);
    const trainer = new Trainer({model, optimizer: opt, logEvery: 1, maxRecords: 5, guard: {maxConsecutive: 1000}});
    for (let i = 0; i < 16; i++) await trainer.step(i % 2 ? bad : batch);
    await trainer.flush();
    expect(trainer.guardLog.map((g) => g.step)).toEqual([11, 12, 13, 14, 15]);
    expect(trainer.history.map((m) => m.step)).toEqual([6, 8, 10, 12, 14]);
    expect(trainer.events.map((e) => e.step)).toEqual([7, 9, 11, 13, 15]);
    trainer.dispose();
    tf.dispose([batch.x, batch.y, bad.x]);
    model.dispose();
    opt.dispose();
  });

  it('does not leak across steps (guard, logging, rollback, transforms)', async () => {
    const model = tinyModel();
    const batch = tinyBatch();
    const bad = {x: tf.fill([8, 4], NaN), y: batch.y};
    const opt = tf.train.adam(0.01);
    const trainer = new Trainer({
      model, optimizer: opt, logEvery: 3, guard: {policy: 'rollback', snapshotEvery: 2},
      transforms: [(g) => Object.fromEntries(Object.entries(g).map(([k, t]) => [k, tf.clipByValue(t, -1, 1)]))],
    });
    await trainer.step(batch); // optimizer state created
    await trainer.step(batch);
    await expectNoLeak(async () => {
      for (let i = 0; i < 20; i++) await trainer.step(i % 7 === 3 ? bad : batch);
      await trainer.flush();
    });
    trainer.dispose();
    tf.dispose([batch.x, batch.y, bad.x]);
    model.dispose();
    opt.dispose();
  });
});
