// The Trainer's `averaging` option: when the average starts and takes in weights, guarded steps,
// checkpoints, evaluation with the averaged weights (batch-norm statistics recomputed or not),
// fit's averaged validation. Expected averages come from lr-schedule's own ema()/swa() fed the
// same weights (the formulas live there and are checked against PyTorch there).
import * as tf from '@tensorflow/tfjs-core';
import {ema, swa, updateBatchNormStats, type WeightAverager} from '@stable-train/lr-schedule';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {ArrayDataset} from './data/dataset';
import {mlp} from './models';
import {tinyBatch, tinyModel} from './test_util';
import {Trainer} from './trainer';
import type {TrainerOptions} from './trainer_options';

const values = (m: tf.NamedTensorMap): {[k: string]: number[]} => Object.fromEntries(Object.entries(m).map(([k, t]) => [k, Array.from(t.dataSync())]));
const snapshot = (vs: tf.Variable[]): number[][] => vs.map((v) => Array.from(v.dataSync()));

function dataset(n = 32, inp = 4, classes = 3): ArrayDataset {
  const x = Float32Array.from({length: n * inp}, (_, i) => Math.sin(i * 1.7) * 2);
  const y = Int32Array.from({length: n}, (_, i) => (x[i * inp] + x[i * inp + 1] > 0 ? 1 : 0) + (i % 3 === 0 ? 1 : 0));
  return new ArrayDataset({x, y, inputShape: [inp], numClasses: classes});
}

/** Runs `steps` steps on one batch; a reference averager (lr-schedule's) sees the weights `when` says. */
async function run(opts: Partial<TrainerOptions>, steps: number, ref: WeightAverager, start: number, due: (done: number) => boolean, bad: number[] = []) {
  const model = tinyModel();
  const batch = tinyBatch();
  const nanBatch = {x: tf.fill(batch.x.shape, NaN), y: batch.y};
  const optimizer = tf.train.adam(0.05);
  const t = new Trainer({model, optimizer, logEvery: 0, ...opts});
  for (let s = 0; s < steps; s++) {
    if (s === start) ref.init(t.params);
    const r = await t.step(bad.includes(s) ? nanBatch : batch);
    if (r.applied && s >= start && due(s + 1)) ref.update(t.params);
  }
  const out = {avg: values(t.averaging!.averager.values), want: values(ref.values), n: t.averaging!.averager.nAveraged, wantN: ref.nAveraged, t};
  t.dispose();
  ref.dispose();
  tf.dispose([batch.x, batch.y, nanBatch.x]);
  model.dispose();
  optimizer.dispose();
  return out;
}

describeBackends(['cpu', 'wasm'], () => {
  it("EMA: starts as a copy of the initial weights, takes in the weights after every step (timm ModelEmaV2)", async () => {
    const r = await run({averaging: {kind: 'ema', decay: 0.8}}, 6, ema({decay: 0.8}), 0, () => true);
    expect(r.n).toBe(6);
    expect(r.avg).toEqual(r.want);
  });

  it('SWA from step 3, every 4 steps: updates after steps 7 and 11 only (init weights not in the mean)', async () => {
    const r = await run({averaging: {kind: 'swa', start: 3, every: 4}}, 12, swa(), 3, (d) => (d - 3) % 4 === 0);
    expect(r.n).toBe(2);
    expect(r.avg).toEqual(r.want);
  });

  it.each(['skip', 'rollback'] as const)('guard %s: a rejected step adds nothing; a due update on it is made at the next applied step', async (policy) => {
    // every 2: due after steps done 2, 4, 6; step index 3 (done 4) is rejected, so the update comes after done 5
    const ref = swa();
    const model = tinyModel();
    const batch = tinyBatch();
    const nanBatch = {x: tf.fill(batch.x.shape, NaN), y: batch.y};
    const optimizer = tf.train.sgd(0.1);
    const t = new Trainer({model, optimizer, logEvery: 0, guard: {policy, snapshotEvery: 1}, averaging: {kind: 'swa', every: 2}});
    const ns: number[] = [];
    for (let s = 0; s < 6; s++) {
      if (s === 0) ref.init(t.params);
      const r = await t.step(s === 3 ? nanBatch : batch);
      if (r.applied && [1, 4, 5].includes(s)) ref.update(t.params);
      ns.push(t.averaging!.averager.nAveraged);
    }
    expect(ns).toEqual([0, 1, 1, 1, 2, 3]);
    expect(values(t.averaging!.averager.values)).toEqual(values(ref.values));
    t.dispose();
    ref.dispose();
    tf.dispose([batch.x, batch.y, nanBatch.x]);
    model.dispose();
    optimizer.dispose();
  });

  it('evaluate({weights: "averaged"}) = evaluating the copied-in average; the live weights come back bit for bit; no leaks', async () => {
    const model = tinyModel();
    const data = dataset();
    const optimizer = tf.train.adam(0.05);
    const t = new Trainer({model, optimizer, logEvery: 0, averaging: {kind: 'ema', decay: 0.5}});
    await expect(t.evaluate(data, {weights: 'averaged'})).rejects.toThrow('Trainer.evaluate: no averaged weights yet: averaging starts before step 0, the trainer is at step 0');
    await t.fit(data, {batchSize: 8, steps: 5});
    const live = snapshot(model.variables);
    const a = await t.evaluate(data, {weights: 'averaged'});
    expect(snapshot(model.variables)).toEqual(live);
    await expectNoLeak(() => t.evaluate(data, {weights: 'averaged', batchSize: 5}));
    const l = await t.evaluate(data);
    t.averaging!.averager.copyTo(t.params);
    const direct = await t.evaluate(data);
    expect(a).toEqual(direct);
    expect(a.loss).not.toBe(l.loss);
    t.dispose();
    model.dispose();
    optimizer.dispose();
  });

  it('batchNormData: statistics recomputed with updateBatchNormStats for the averaged weights, the live ones put back', async () => {
    const model = mlp({inputs: 4, hidden: [6], outputs: 3, norm: 'batch', seed: 2, name: `bnavg${Math.random().toString(36).slice(2, 7)}`});
    const data = dataset(24);
    const optimizer = tf.train.sgd(0.2);
    const t = new Trainer({model, optimizer, logEvery: 0, averaging: {kind: 'swa'}});
    await t.fit(data, {batchSize: 8, steps: 6});
    const live = snapshot(model.variables);
    const withBn = await t.evaluate(data, {weights: 'averaged', batchNormData: data, batchSize: 8});
    expect(snapshot(model.variables)).toEqual(live);
    const plain = await t.evaluate(data, {weights: 'averaged', batchSize: 8});
    expect(withBn.loss).not.toBe(plain.loss);
    // the same by hand: average in, update_bn over the same batches, evaluate
    t.averaging!.averager.copyTo(t.params);
    const xs = [0, 8, 16].map((s) => data.batch([...Array(8).keys()].map((i) => s + i)));
    expect(await updateBatchNormStats({layers: model.norms!, apply: (x, k) => model.apply(x as tf.Tensor, k)}, xs.map((b) => b.x))).toBe(1);
    expect((await t.evaluate(data, {batchSize: 8})).loss).toBeCloseTo(withBn.loss, 6);
    tf.dispose(xs.flatMap((b) => [b.x, b.y]));
    await expect(t.evaluate(data, {batchNormData: data})).rejects.toThrow("Trainer.evaluate: batchNormData is for weights: 'averaged'");
    t.dispose();
    model.dispose();
    optimizer.dispose();
  });

  it("fit: validation with both weights each epoch, in the summary and as an 'averaged-eval' event", async () => {
    const model = tinyModel();
    const data = dataset();
    const optimizer = tf.train.adam(0.05);
    const t = new Trainer({model, optimizer, logEvery: 0, averaging: {kind: 'swa', start: 4, every: 4}});
    const sums: {averagedValLoss?: number; valLoss?: number}[] = [];
    await t.fit(data, {batchSize: 8, epochs: 3, validation: data, onEpoch: (s) => sums.push(s)});
    // 4 steps per epoch: the average starts before step 4 (the first of epoch 1), takes in the weights after 8 and 12
    expect(sums[0].averagedValLoss).toBeUndefined();
    expect(sums.slice(1).every((s) => Number.isFinite(s.averagedValLoss) && Number.isFinite(s.valLoss))).toBe(true);
    const ev = t.events.filter((e) => e.cause === 'averaged-eval');
    expect(ev.length).toBe(2);
    expect(ev[1].message).toMatch(/^epoch 2: validation with the averaged weights \(swa, 2 updates\): loss [\d.]+, accuracy [\d.]+; live weights: loss/);
    t.dispose();
    model.dispose();
    optimizer.dispose();
  });

  it('checkpoints carry the average: restored, it continues as if never stopped; mismatches are named', async () => {
    const data = dataset();
    const build = (av: TrainerOptions['averaging']) => {
      const w = [tf.variable(tf.randomNormal([4, 3], 0, 0.5, 'float32', 5), true, 'avgck/kernel'), tf.variable(tf.zeros([3]), true, 'avgck/bias')];
      const model = {inputShape: [4], variables: w, dispose: () => tf.dispose(w), apply: (x: tf.Tensor) => tf.tidy(() => tf.add(tf.matMul(x, w[0]), w[1]))};
      const optimizer = tf.train.adam(0.05);
      return {opts: {model, optimizer, logEvery: 0, averaging: av} as TrainerOptions, dispose: () => (model.dispose(), optimizer.dispose())};
    };
    const a = build({kind: 'ema', decay: 0.7});
    const full = new Trainer(a.opts);
    await full.fit(data, {batchSize: 8, steps: 9});
    const want = values(full.averaging!.averager.values);
    full.dispose();
    a.dispose();
    let saved: tf.io.ModelArtifacts | undefined;
    const sink = tf.io.withSaveHandler(async (art) => ((saved = art), {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}}));
    const b = build({kind: 'ema', decay: 0.7});
    const first = new Trainer(b.opts);
    await first.fit(data, {batchSize: 8, steps: 5});
    await first.save(sink);
    first.dispose();
    b.dispose();
    const c = build({kind: 'ema', decay: 0.7});
    const resumed = await Trainer.restore(tf.io.fromMemory(saved!), c.opts);
    expect(resumed.averaging!.averager.nAveraged).toBe(5);
    await resumed.fit(data, {batchSize: 8, steps: 9});
    expect(values(resumed.averaging!.averager.values)).toEqual(want);
    resumed.dispose();
    c.dispose();
    for (const [av, msg] of [[undefined, 'averaged weights (ema) are in the checkpoint but the trainer has no averaging option'], [{kind: 'swa'}, 'averaging is ema in the checkpoint but swa now']] as const) {
      const d = build(av as TrainerOptions['averaging']);
      await expect(Trainer.restore(tf.io.fromMemory(saved!), d.opts)).rejects.toThrow(msg);
      d.dispose();
    }
  });
});

describe('averaging option', () => {
  it('is checked at construction, naming the field', () => {
    const model = tinyModel();
    const optimizer = tf.train.sgd(0.1);
    const make = (averaging: unknown) => () => new Trainer({model, optimizer, averaging: averaging as never});
    expect(make({kind: 'polyak'})).toThrow("Trainer: averaging.kind must be 'ema' or 'swa', got \"polyak\"");
    expect(make({kind: 'swa', start: -1})).toThrow('Trainer: averaging.start must be an integer >= 0, got -1');
    expect(make({kind: 'swa', every: 0})).toThrow('Trainer: averaging.every must be an integer >= 1, got 0');
    expect(make({kind: 'swa', decay: 0.9})).toThrow("Trainer: averaging: unknown option 'decay' (known: kind, start, every, updateBatchNorm)");
    expect(make({kind: 'ema', decay: 1.5})).toThrow('ema: decay');
    expect(make({averager: {}})).toThrow("Trainer: averaging.averager must be lr-schedule's ema() or swa()");
    const own = ema({decay: 0.9});
    const t = new Trainer({model, optimizer, averaging: own});
    expect(t.averaging!.averager).toBe(own);
    expect([t.averaging!.kind, t.averaging!.start, t.averaging!.every]).toEqual(['ema', 0, 1]);
    model.dispose();
    optimizer.dispose();
  });
});
