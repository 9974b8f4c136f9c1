// Issue 20 item 5: resume from any step is bit-identical to an uninterrupted run, for every
// feature combination (rollback guard, plateau + AutoClip mid-epoch, stock tf.train.adam,
// accumulation, a self-scheduled optimizer with guard cuts), weight averaging (EMA with the
// rollback guard, SWA from step 3 every 4 steps with the plateau) included.
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {AutoClip} from '@stable-train/grad-clip';
import {adam, cosineDecay, ReduceOnPlateau} from '@stable-train/lr-schedule';
import {ArrayDataset} from './data/dataset';
import {createRng} from './rng';
import {Trainer, type TrainerOptions} from './trainer';
import type {GradTransform, Module} from './types';

/** A dataset whose every 7th sample is NaN (bad input batches for the guard). */
function data(poison: boolean): ArrayDataset {
  const rng = createRng(3);
  const x = Float32Array.from({length: 48 * 4}, () => rng.normal());
  if (poison) for (let i = 0; i < 48; i += 7) x[i * 4] = NaN;
  const y = Array.from({length: 48}, (_, i) => (x[i * 4 + 1] + x[i * 4 + 2] > 0 ? 1 : 0));
  return new ArrayDataset({x, y, inputShape: [4], numClasses: 2});
}

function model(): Module & {inputShape: number[]} {
  const w1 = tf.variable(tf.randomNormal([4, 8], 0, 0.5, 'float32', 1), true, 'rid/d1/kernel');
  const b1 = tf.variable(tf.zeros([8]), true, 'rid/d1/bias');
  const w2 = tf.variable(tf.randomNormal([8, 2], 0, 0.5, 'float32', 2), true, 'rid/d2/kernel');
  return {inputShape: [4], variables: [w1, b1, w2], dispose: () => tf.dispose([w1, b1, w2]),
    apply: (x) => tf.tidy(() => tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2))};
}

type Built = {opts: TrainerOptions; dispose(): void};
const sets: [string, boolean, () => Built][] = [
  ['stock tf.train.adam (beta powers saved)', false, () => {
    const m = model();
    const optimizer = tf.train.adam(0.02);
    return {opts: {model: m, optimizer, logEvery: 0}, dispose: () => (m.dispose(), optimizer.dispose())};
  }],
  ['rollback guard with NaN batches, EMA', true, () => {
    const m = model();
    const optimizer = tf.train.adam(0.02);
    return {opts: {model: m, optimizer, logEvery: 0, guard: {policy: 'rollback', snapshotEvery: 4, maxConsecutive: 50}, averaging: {kind: 'ema', decay: 0.9}},
      dispose: () => (m.dispose(), optimizer.dispose())};
  }],
  ['plateau + AutoClip + SWA, resumed mid-epoch', false, () => {
    const m = model();
    const optimizer = tf.train.momentum(0.05, 0.9);
    const auto = new AutoClip({percentile: 50, historySize: 20});
    const plateau = new ReduceOnPlateau({initial: 0.05, patience: 0, factor: 0.5, threshold: 0.5});
    return {opts: {model: m, optimizer, logEvery: 0, plateau, transforms: [auto.transform as GradTransform], stateful: {auto}, averaging: {kind: 'swa', start: 3, every: 4}},
      dispose: () => (m.dispose(), optimizer.dispose(), auto.dispose())};
  }],
  ['accumulation + self-scheduled optimizer with guard cuts', true, () => {
    const m = model();
    const optimizer = adam({lr: cosineDecay({initial: 0.02, decaySteps: 60})});
    return {opts: {model: m, optimizer: optimizer as tf.Optimizer, accumulate: 2, logEvery: 0, guard: {growEvery: 3, maxConsecutive: 50}},
      dispose: () => (m.dispose(), optimizer.dispose())};
  }],
];

async function weights(t: Trainer): Promise<number[][]> {
  const avg = Object.values(t.averaging?.averager.values ?? {});
  return Promise.all([...t.model.variables, ...avg].map(async (v) => Array.from(await v.data())));
}

describe('bit-identical resume (issue 20 item 5)', () => {
  it.each(sets)('%s', async (_name, poison, build) => {
    const ds = data(poison);
    const total = 22; // 48 / 8 = 6 steps per epoch: resumes at 5, 9, 16 are mid-epoch
    const a = build();
    let want: number[][];
    let wantLr: number;
    try {
      const full = new Trainer(a.opts);
      await full.fit(ds, {batchSize: 8, steps: total});
      want = await weights(full);
      wantLr = full.currentLr();
      full.dispose();
    } finally {
      a.dispose();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-rid-'));
    // a fit that ends on a rejected step writes no checkpoint: the next one resumes from the newest good one
    for (const at of [5, 9, 16, total]) {
      const b = build();
      try {
        const t = fs.existsSync(path.join(dir, 'latest.json')) ? await Trainer.restore(dir, b.opts) : new Trainer(b.opts);
        await t.fit(ds, {batchSize: 8, steps: at, checkpointDir: dir});
        if (at === total) {
          expect(await weights(t)).toEqual(want);
          expect(t.currentLr()).toBe(wantLr);
        }
        t.dispose();
      } finally {
        b.dispose();
      }
    }
  }, 60000);
});
