import * as tf from '@tensorflow/tfjs-core';
import {useBackend} from '@stable-train/testing';
import {batchIndices} from '../data';
import {buildRun} from './build_run';
import {parseRunConfig} from './config';
import {Trainer} from '../trainer';

// Issue 22: every lr-schedule optimizer is reachable from the run config (lr-schedule's
// resolveOptimizer), with its own options checked at parse time.
const base = {model: {type: 'mlp', hidden: [8]}, data: {type: 'twoSpirals', samples: 40}, train: {batchSize: 8, steps: 3}};

describe('run config optimizers', () => {
  beforeAll(() => useBackend('cpu'));

  for (const optimizer of [
    {type: 'nadam', lr: 1e-2, momentumDecay: 4e-3}, {type: 'radam', lr: 1e-2}, {type: 'adamax', lr: 1e-2},
    {type: 'adadelta', lr: 1}, {type: 'lion', lr: 1e-3, weightDecay: 0}, {type: 'lamb', lr: 1e-2},
    {type: 'lars', lr: 1e-2, momentum: 0.9}, {type: 'adafactor', lr: 1e-2}, {type: 'adamw', lr: 1e-3},
  ]) {
    it(`${optimizer.type}: parses, builds the lr-schedule optimizer and trains 3 steps`, async () => {
      const c = parseRunConfig({...base, optimizer});
      const run = await buildRun(c);
      const opt = run.trainerOptions.optimizer as tf.Optimizer;
      expect(opt.getClassName().toLowerCase()).toContain(optimizer.type === 'adamw' ? 'adamw' : optimizer.type);
      const t = new Trainer(run.trainerOptions);
      const batch = run.train.batch(batchIndices(run.train.size, 8, 0, 0, 0));
      for (let i = 0; i < 3; i++) await t.step(batch);
      expect(t.step_).toBe(3);
      t.dispose();
      tf.dispose([batch.x, batch.y]);
      run.dispose();
      run.model.dispose();
    });
  }

  it('rejects an unknown optimizer and an unknown option, naming them', () => {
    expect(() => parseRunConfig({...base, optimizer: {type: 'adamz', lr: 1}})).toThrow(/optimizer\.type/);
    expect(() => parseRunConfig({...base, optimizer: {type: 'lion', lr: 1e-3, betas: [0.9, 0.99]}})).toThrow(/lion: unknown option 'betas'/);
    expect(() => parseRunConfig({...base, optimizer: {type: 'lion', lr: -1}})).toThrow(/optimizer\.lr/);
  });
});
