// Issue 20: fault injection. Each fault asserts that training continues or stops with a clear
// error, and that the newest *good* checkpoint is on disk and loads (finite weights).
import * as tf from '@tensorflow/tfjs-core';
import * as fsp from 'node:fs/promises';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {ArrayDataset, type Dataset} from './data/dataset';
import {createRng} from './rng';
import {Trainer, type TrainerOptions} from './trainer';
import {readCheckpointDir, writeCheckpointDir, type CheckpointFs} from './checkpoint_fs';
import {metaHashOf, packCheckpoint} from './checkpoint';
import type {Batch, GradTransform, Module} from './types';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'st-fault-'));

function model(name = 'flt'): Module & {inputShape: number[]} {
  const w1 = tf.variable(tf.randomNormal([4, 8], 0, 0.5, 'float32', 1), true, `${name}/d1/kernel`);
  const b1 = tf.variable(tf.zeros([8]), true, `${name}/d1/bias`);
  const w2 = tf.variable(tf.randomNormal([8, 2], 0, 0.5, 'float32', 2), true, `${name}/d2/kernel`);
  return {inputShape: [4], variables: [w1, b1, w2], dispose: () => tf.dispose([w1, b1, w2]),
    apply: (x) => tf.tidy(() => tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2))};
}

function dataset(): ArrayDataset {
  const rng = createRng(3);
  const x = Float32Array.from({length: 64 * 4}, () => rng.normal());
  const y = Array.from({length: 64}, (_, i) => (x[i * 4 + 1] > 0 ? 1 : 0));
  return new ArrayDataset({x, y, inputShape: [4], numClasses: 2});
}

/** A dataset whose batches are replaced by `poison(batch, index)` from batch `from` to `to`. */
function poisoned(base: Dataset, from: number, to: number, poison: (b: Batch) => Batch): Dataset {
  let n = 0;
  return {size: base.size, batch: (idx) => {
    const b = base.batch(idx);
    const i = n++;
    if (i < from || i >= to) return b;
    const p = poison(b);
    if (p.x !== b.x) b.x.dispose();
    if (p.y !== b.y) b.y.dispose();
    return p;
  }} as Dataset;
}

const nanX = (v: number) => (b: Batch): Batch => ({x: tf.fill(b.x.shape, v), y: b.y});
const badLabels = (v: number) => (b: Batch): Batch => ({x: b.x, y: tf.fill([b.y.shape[0], 2], v)});

/** A penalty whose gradient is `v` everywhere (custom gradient) and whose value is 0, from step `at`. */
function gradFault(v: number, at: number, counter: {n: number}) {
  return (params: {[k: string]: tf.Tensor}) => {
    const w = Object.values(params)[0];
    if (counter.n++ < at) return tf.scalar(0);
    const f = tf.customGrad((...a: (tf.Tensor | tf.GradSaveFunc)[]) => { const x = a[0] as tf.Tensor; return {value: tf.mul(tf.sum(x), 0) as tf.Scalar, gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.fill(x.shape, v))}; });
    return f(w) as tf.Scalar;
  };
}

/** Runs 30 steps of fit (checkpoint every 5) with a fault; returns the error, if any. */
async function train(dir: string, extra: Partial<TrainerOptions>, data: Dataset = dataset(), fitExtra: object = {}, applyThrowsAt = -1): Promise<{err?: Error; trainer?: Trainer}> {
  const m = model();
  const apply = m.apply;
  let calls = 0;
  m.apply = (x, o) => {
    if (calls++ === applyThrowsAt) throw new Error('forward failed');
    return apply(x, o);
  };
  const optimizer = tf.train.adam(0.01);
  const t = new Trainer({model: m, optimizer, logEvery: 5, ...extra});
  let err: Error | undefined;
  try {
    await t.fit(data, {batchSize: 8, steps: 30, checkpointDir: dir, checkpointEvery: 5, ...fitExtra});
  } catch (e) {
    err = e as Error;
  }
  t.dispose();
  m.dispose();
  optimizer.dispose();
  return {err};
}

/** The newest checkpoint on disk loads into a fresh trainer, is healthy and has finite weights. */
async function newestGoodLoads(dir: string): Promise<number> {
  const m = model();
  const optimizer = tf.train.adam(0.01);
  try {
    const t = await Trainer.restore(dir, {model: m, optimizer});
    for (const v of m.variables) expect(Array.from(await v.data()).every(Number.isFinite)).toBe(true);
    const {meta} = await readCheckpointDir(dir);
    expect(meta.healthy).toBe(true);
    t.dispose();
    return meta.step;
  } finally {
    m.dispose();
    optimizer.dispose();
  }
}

type Fault = [string, Partial<TrainerOptions>, ((d: Dataset) => Dataset) | null, RegExp | null, object?];
const counter = {n: 0};
const throwAt = (k: number, msg: string) => { let n = 0; return () => { if (n++ === k) throw new Error(msg); }; };
const transformOut = (v: number, from: number): GradTransform => { let n = 0; return (g) => (n++ < from ? g : Object.fromEntries(Object.entries(g).map(([k, t]) => [k, tf.fill(t.shape, v)]))); };

const trainingFaults: Fault[] = [
  ['NaN in inputs (one batch)', {}, (d) => poisoned(d, 7, 8, nanX(NaN)), null],
  ['Infinity in inputs (one batch)', {}, (d) => poisoned(d, 7, 8, nanX(Infinity)), null],
  ['NaN in inputs from step 12 on (guard gives up)', {guard: {maxConsecutive: 4}}, (d) => poisoned(d, 12, 99, nanX(NaN)), null],
  ['NaN in labels (one-hot float targets)', {}, (d) => poisoned(d, 7, 8, badLabels(NaN)), null],
  ['Infinity in labels (one-hot float targets)', {}, (d) => poisoned(d, 7, 8, badLabels(Infinity)), null],
  ['NaN loss', {loss: ((): TrainerOptions['loss'] => { let n = 0; return (y, p) => tf.tidy(() => tf.mul(tf.losses.meanSquaredError(tf.oneHot(tf.cast(y, 'int32'), 2), p), n++ === 9 ? NaN : 1) as tf.Scalar); })()}, null, null],
  ['Infinity loss', {loss: ((): TrainerOptions['loss'] => { let n = 0; return (y, p) => tf.tidy(() => tf.mul(tf.losses.meanSquaredError(tf.oneHot(tf.cast(y, 'int32'), 2), p), n++ === 9 ? Infinity : 1) as tf.Scalar); })()}, null, null],
  ['NaN gradients', {penalties: [gradFault(NaN, 10, counter)], guard: {maxConsecutive: 100}}, null, null],
  ['Infinity gradients', {penalties: [gradFault(Infinity, 10, {n: 0})], guard: {maxConsecutive: 100}}, null, null],
  ['a transform outputs NaN', {transforms: [transformOut(NaN, 8)], guard: {maxConsecutive: 100}}, null, null],
  ['a transform outputs Infinity', {transforms: [transformOut(Infinity, 8)], guard: {maxConsecutive: 100}}, null, null],
  ['a transform outputs NaN under policy zero', {transforms: [transformOut(NaN, 8)], guard: {policy: 'zero', maxConsecutive: 100}}, null, null],
  ['NaN batch under policy rollback', {guard: {policy: 'rollback', snapshotEvery: 3}}, (d) => poisoned(d, 7, 9, nanX(NaN)), null],
  ['loss spike', {guard: {lossSpike: 5, warmup: 3}}, (d) => poisoned(d, 10, 11, (b) => ({x: tf.mul(b.x, 1e4), y: b.y})), null],
  ['gradient spike', {guard: {gradSpike: 5, warmup: 3}, penalties: [gradFault(1e6, 12, {n: 0})]}, null, null],
  ['huge lr for one step (reported, guard recovers)', {schedule: (s) => (s === 10 ? 1e10 : 0.01), guard: {maxConsecutive: 100}}, null, null],
  ['a transform throws', {transforms: [((): GradTransform => { const f = throwAt(12, 'boom'); return (g) => (f(), g); })()]}, null, /boom/],
  ['the loss throws', {loss: ((): TrainerOptions['loss'] => { const f = throwAt(12, 'loss exploded'); return (y, p) => (f(), tf.losses.softmaxCrossEntropy(tf.oneHot(tf.cast(y, 'int32'), 2), p) as tf.Scalar); })()}, null, /loss exploded/],
  ['model.apply throws', {}, null, /forward failed/, {}],
  ['onEvent throws', {onEvent: (e) => { if (e.kind === 'guard') throw new Error('listener down'); }}, (d) => poisoned(d, 7, 8, nanX(NaN)), /onEvent callback threw at step 7: listener down/],
  ['onStep throws', {onStep: throwAt(1, 'plot failed')}, null, /onStep callback threw at step 9: plot failed/],
  ['onEpoch throws', {}, null, /onEpoch callback threw at step 8: epoch hook/, {onEpoch: throwAt(0, 'epoch hook')}],
  ['shouldStop throws', {}, null, /shouldStop callback threw at step 12: stop hook/, {shouldStop: throwAt(11, 'stop hook')}],
  ['schedule returns NaN', {schedule: (s) => (s >= 12 ? NaN : 0.01)}, null, /schedule gave lr NaN at step 12/],
  ['schedule returns a negative lr', {schedule: (s) => (s >= 12 ? -1 : 0.01)}, null, /schedule gave lr -1 at step 12/],
];

describe('fault injection: training (issue 20)', () => {
  // every row has 5 cells: jest would take a 5th parameter missing from the row for `done`
  it.each(trainingFaults.map((f): Required<Fault> => [f[0], f[1], f[2], f[3], f[4] ?? {}]))('%s', async (_name, extra, data, err, fitExtra) => {
    const dir = tmp();
    const r = await train(dir, extra, data ? data(dataset()) : dataset(), fitExtra, _name === 'model.apply throws' ? 12 : -1);
    if (err) expect(r.err?.message).toMatch(err);
    else expect(r.err).toBeUndefined();
    const step = await newestGoodLoads(dir);
    expect(step).toBeGreaterThan(0);
  }, 30000);

  it('no checkpoint is written while every step is rejected, and the last good one is never pruned', async () => {
    const dir = tmp();
    const r = await train(dir, {guard: {maxConsecutive: 1000, cutLr: 1}}, poisoned(dataset(), 11, 99, nanX(NaN)));
    expect(r.err).toBeUndefined();
    expect(await newestGoodLoads(dir)).toBe(10);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('step-'))).toEqual(['step-00000005', 'step-00000010']);
  }, 30000);

  it('the lr cut grows back after growEvery good steps (1 NaN batch in 5: the scale does not decay to 0)', async () => {
    const m = model();
    const optimizer = tf.train.sgd(0.1);
    const t = new Trainer({model: m, optimizer, logEvery: 0, guard: {growEvery: 4, maxConsecutive: 100}, penalties: [((): ReturnType<typeof gradFault> => { let n = 0; return (p) => (n++ % 5 === 4 ? gradFault(NaN, 0, {n: 0})(p) : tf.scalar(0)); })()]});
    try {
      await t.fit(dataset(), {batchSize: 8, steps: 99});
      expect(t.guard.badSteps).toBe(19);
      expect(t.guard.lrScale).toBe(1); // cut to 0.5 on each bad step, doubled after 4 good ones
      expect(t.events.filter((e) => e.action === 'grow-lr').length).toBe(19);
    } finally {
      t.dispose();
      m.dispose();
      optimizer.dispose();
    }
  });
});

/** A fs that fails `op` (after `after` calls of it) with `code`. */
function failingFs(op: keyof CheckpointFs, code: string, after = 0): CheckpointFs {
  let n = 0;
  const fail = (...a: unknown[]): never => { void a; throw Object.assign(new Error(`${code}: simulated`), {code}); };
  return new Proxy(fsp, {get: (t, k) => (k === op ? (...a: unknown[]) => (n++ >= after ? fail(...a) : (t[k as keyof typeof fsp] as (...x: unknown[]) => unknown)(...a)) : t[k as keyof typeof fsp])}) as CheckpointFs;
}

describe('fault injection: disks and checkpoints (issue 20)', () => {
  // one good run with checkpoints at 5..30 (kept: 25 and 30)
  let src: string;
  beforeAll(async () => {
    src = tmp();
    await train(src, {});
  }, 30000);
  const copy = (): string => {
    const d = tmp();
    fs.cpSync(src, d, {recursive: true});
    return d;
  };
  const newest = (d: string): string => path.join(d, JSON.parse(fs.readFileSync(path.join(d, 'latest.json'), 'utf8')).checkpoint);
  async function resave(d: string, fsOverride: CheckpointFs): Promise<Error | undefined> {
    const {meta, bytes} = await readCheckpointDir(d);
    try {
      await writeCheckpointDir(d, {...meta, step: meta.step + 5}, bytes, {fs: fsOverride});
    } catch (e) {
      return e as Error;
    }
    return undefined;
  }

  it.each([
    ['full disk while writing weights', 'open', 'ENOSPC', 0],
    ['read-only disk', 'mkdir', 'EROFS', 0],
    ['rename fails', 'rename', 'EXDEV', 0],
    ['pointer rename fails (after the folder rename)', 'rename', 'EIO', 1],
    ['full disk while writing the pointer', 'open', 'ENOSPC', 2],
  ] as [string, keyof CheckpointFs, string, number][])('%s: a clear error, the previous checkpoint loads, no leftovers', async (_n, op, code, after) => {
    const d = copy();
    const err = await resave(d, failingFs(op, code, after));
    expect(err?.message).toMatch(new RegExp(`save: cannot write a checkpoint to .*${code}.*the previous checkpoint is intact`));
    expect(await newestGoodLoads(d)).toBeGreaterThanOrEqual(30);
    expect(fs.readdirSync(d).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('re-saving the same step never removes the old folder first (a crash in between keeps latest valid)', async () => {
    const d = copy();
    const {meta, bytes} = await readCheckpointDir(d);
    await writeCheckpointDir(d, meta, bytes, {fs: failingFs('rm', 'EIO', 0)}).catch(() => undefined);
    expect(await newestGoodLoads(d)).toBe(30);
    await writeCheckpointDir(d, meta, bytes);
    expect(fs.readdirSync(d).filter((f) => f.startsWith('step-00000030')).length).toBe(1);
    expect(await newestGoodLoads(d)).toBe(30);
  });

  it('leftovers of failed saves are removed by the next save', async () => {
    const d = copy();
    fs.mkdirSync(path.join(d, '.tmp-step-00000099-dead'));
    fs.writeFileSync(path.join(d, '.latest.json.dead.tmp'), 'x');
    const {meta, bytes} = await readCheckpointDir(d);
    await writeCheckpointDir(d, {...meta, step: 35}, bytes);
    expect(fs.readdirSync(d).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('temp files have unpredictable names and are opened exclusively (a planted symlink is not followed)', async () => {
    const d = copy();
    const victim = path.join(tmp(), 'victim.txt');
    fs.writeFileSync(victim, 'keep me');
    for (const guess of [`.latest.json.${process.pid}.tmp`, '.latest.json.tmp']) fs.symlinkSync(victim, path.join(d, guess));
    const {meta, bytes} = await readCheckpointDir(d);
    await writeCheckpointDir(d, {...meta, step: 40}, bytes);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
  });

  const corrupt: [string, (d: string) => void, RegExp][] = [
    ['truncated weights.bin', (d) => fs.truncateSync(path.join(newest(d), 'weights.bin'), 10), /is corrupted: weights.bin has 10 bytes/],
    ['a flipped byte in weights.bin', (d) => { const f = path.join(newest(d), 'weights.bin'); const b = fs.readFileSync(f); b[5] ^= 0xff; fs.writeFileSync(f, b); }, /is corrupted: weights.bin has/],
    ['truncated meta.json', (d) => fs.truncateSync(path.join(newest(d), 'meta.json'), 50), /cannot read .*meta.json/],
    ['hand-edited step: -7', (d) => editMeta(d, (m) => (m.step = -7)), /edited by hand/],
    ['hand-edited step with a recomputed weights hash only', (d) => editMeta(d, (m) => (m.train.step = 3)), /edited by hand/],
    ['swapped tensor offsets (hash recomputed)', (d) => editMeta(d, (m) => { const [a, b] = [m.variables[0].offset, m.variables[2].offset]; m.variables[0].offset = b; m.variables[2].offset = a; }, true), /should start at byte 0/],
    ['step -7 with a recomputed meta hash', (d) => editMeta(d, (m) => { m.train.step = -7; }, true), /invalid training state: step = -7/],
    ['latest.json points outside the folder', (d) => fs.writeFileSync(path.join(d, 'latest.json'), JSON.stringify({checkpoint: '../../etc'})), /not a step-<n> folder/],
  ];
  it.each(corrupt)('%s: restore stops with a clear error, an older good checkpoint still loads', async (_n, damage, err) => {
    const d = copy();
    const bad = newest(d);
    damage(d);
    await expect(newestGoodLoads(d)).rejects.toThrow(err);
    const older = fs.readdirSync(d).filter((f) => f.startsWith('step-') && path.join(d, f) !== bad).sort().pop()!;
    expect(await newestGoodLoads(path.join(d, older))).toBe(25);
  });

  it('latest.json missing, garbage or naming a deleted folder: the newest folder is read', async () => {
    for (const damage of [(d: string) => fs.rmSync(path.join(d, 'latest.json')), (d: string) => fs.writeFileSync(path.join(d, 'latest.json'), '{oops'),
      (d: string) => fs.writeFileSync(path.join(d, 'latest.json'), JSON.stringify({checkpoint: 'step-00000099'}))]) {
      const d = copy();
      damage(d);
      expect(await newestGoodLoads(d)).toBe(30);
    }
  });

  it('mismatched model or optimizer: a clear error listing what differs', async () => {
    const m = model();
    const opt = tf.train.sgd(0.1);
    await expect(Trainer.restore(src, {model: m, optimizer: opt})).rejects.toThrow(/optimizer is Adam in the checkpoint but SGD now/);
    m.dispose();
    const other = model('other');
    const adamOpt = tf.train.adam(0.01);
    await expect(Trainer.restore(src, {model: other, optimizer: adamOpt})).rejects.toThrow(/variable flt\/d1\/kernel is in the checkpoint but not in the model/);
    other.dispose();
    adamOpt.dispose();
    opt.dispose();
  });

  it('a checkpoint saved while the guard reports trouble is marked unhealthy and the newest good one is kept', async () => {
    const d = copy();
    const {meta, bytes} = await readCheckpointDir(d);
    for (const step of [35, 40, 45]) {
      const core = {...meta, step, healthy: false};
      await writeCheckpointDir(d, {...core, metaHash: metaHashOf(core)}, bytes, {keep: 2});
    }
    expect(fs.readdirSync(d).filter((f) => f.startsWith('step-')).sort()).toEqual(['step-00000030', 'step-00000040', 'step-00000045']);
    expect(await newestGoodLoads(path.join(d, 'step-00000030'))).toBe(30);
    void packCheckpoint;
  });
});

function editMeta(d: string, edit: (m: any) => void, rehash = false): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  const dir = path.join(d, JSON.parse(fs.readFileSync(path.join(d, 'latest.json'), 'utf8')).checkpoint);
  const f = path.join(dir, 'meta.json');
  const m = JSON.parse(fs.readFileSync(f, 'utf8'));
  edit(m);
  if (rehash) m.metaHash = metaHashOf(m);
  fs.writeFileSync(f, JSON.stringify(m));
}
