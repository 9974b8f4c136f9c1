// Issue 22's newer schedules (MultiplicativeLR, ConstantLR, ChainedScheduler, SWALR, LambdaLR)
// drive the Trainer: as its `schedule`, and as a self-scheduled lr-schedule optimizer's lr; the lr
// of step i is schedule(i) either way. The values themselves are checked against PyTorch in lr-schedule.
import * as tf from '@tensorflow/tfjs-core';
import {chainedSchedule, constantFactor, multiplicative, resolveSchedule, sgd, swaSchedule, type Schedule} from '@stable-train/lr-schedule';
import {tinyBatch, tinyModel} from './test_util';
import {Trainer} from './trainer';

const schedules: [string, () => Schedule][] = [
  ['multiplicative', () => multiplicative({initial: 0.1, factor: 0.9})],
  ['constantFactor', () => constantFactor({initial: 0.1, factor: 0.5, totalIters: 2})],
  ['chainedSchedule', () => chainedSchedule({initial: 0.1, schedules: [constantFactor({initial: 1, factor: 0.5, totalIters: 2}), multiplicative({initial: 1, factor: 0.8})]})],
  ['swaSchedule', () => swaSchedule({initial: 0.1, swaLr: 0.02, annealEpochs: 3})],
  ['lambda (function given in code)', () => resolveSchedule({type: 'lambda', initial: 0.1, fn: 'warmup'}, {lambdas: {warmup: (i) => Math.min(1, (i + 1) / 3)}})],
];

describe('the newer schedules drive the Trainer', () => {
  it.each(schedules)('%s: as the Trainer schedule and as the optimizer lr, lr(step i) = schedule(i)', async (_n, make) => {
    const s = make();
    const batch = tinyBatch();
    for (const own of [false, true]) {
      const model = tinyModel();
      const optimizer = own ? sgd({lr: make()}) : sgd({lr: 1});
      const lrs: number[] = [];
      const t = new Trainer({model, optimizer: optimizer as tf.Optimizer, logEvery: 1, ...(own ? {} : {schedule: s}), onStep: (m) => lrs.push(m.lr)});
      for (let i = 0; i < 5; i++) {
        expect(t.currentLr()).toBeCloseTo(s(i), 12);
        await t.step(batch);
      }
      await t.flush();
      lrs.forEach((lr, i) => expect(lr).toBeCloseTo(s(i), 12));
      t.dispose();
      model.dispose();
      optimizer.dispose();
    }
    tf.dispose([batch.x, batch.y]);
  });
});
