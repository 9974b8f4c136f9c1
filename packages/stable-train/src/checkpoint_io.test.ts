import * as tf from '@tensorflow/tfjs-core';
import {ReduceOnPlateau} from '@stable-train/lr-schedule';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {ARTIFACTS_KEY} from './checkpoint_io';
import {Trainer} from './trainer';
import {tinyBatch, tinyModel} from './test_util';

// An in-memory 'mem://' scheme, routed through tf.io exactly as 'indexeddb://' is in a browser.
const store = new Map<string, tf.io.ModelArtifacts>();
const info = (a: tf.io.ModelArtifacts): tf.io.SaveResult => ({modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: (a.weightData as ArrayBuffer).byteLength}});
// Like IndexedDB, keep a structured clone, not the caller's objects.
const memRouter = (url: string | string[]): tf.io.IOHandler | null => {
  if (Array.isArray(url) || !url.startsWith('mem://')) return null;
  const key = url.slice('mem://'.length);
  return {
    save: async (a) => {
      store.set(key, structuredClone(a));
      return info(a);
    },
    load: async () => {
      const a = store.get(key);
      if (!a) throw new Error(`nothing stored under ${url}`);
      return structuredClone(a);
    },
  };
};
// tfjs's own routers (indexedDBRouter) return null for URLs they do not handle; its IORouter type says otherwise.
tf.io.registerSaveRouter(memRouter as Parameters<typeof tf.io.registerSaveRouter>[0]);
tf.io.registerLoadRouter(memRouter as Parameters<typeof tf.io.registerSaveRouter>[0]);

describeBackends(['cpu', 'wasm'], () => {
  it('save to a tf.io handler, restore with tf.io.fromMemory: same weights, optimizer state, step and stateful state', async () => {
    const model = tinyModel(4, 8, 3, 2);
    const batch = tinyBatch();
    const plateau = new ReduceOnPlateau({initial: 0.01, patience: 0, factor: 0.5});
    const trainer = new Trainer({model, optimizer: tf.train.adam(0.01), logEvery: 0, seed: 4, stateful: {plateau}});
    for (let i = 0; i < 3; i++) await trainer.step(batch);
    plateau.step(1);
    plateau.step(2); // a plateau: value 0.005
    let artifacts: tf.io.ModelArtifacts | undefined;
    await expectNoLeak(async () => {
      const where = await trainer.save(tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return info(a);
      }), {note: 'hi'});
      expect(where).toBe('the tf.io handler');
    });
    // the tensors are tf.io weights; the JSON part is user-defined metadata
    expect(artifacts!.weightSpecs!.map((w) => w.name).slice(0, 4)).toEqual(model.variables.map((v) => `variables/${v.name}`));
    expect(artifacts!.weightSpecs!.some((w) => w.name.startsWith('optimizer/'))).toBe(true);
    const meta = (artifacts!.userDefinedMetadata as {[k: string]: {step: number; extra: unknown}})[ARTIFACTS_KEY];
    expect(meta.step).toBe(3);
    expect(meta.extra).toEqual({note: 'hi'});
    for (let i = 0; i < 2; i++) await trainer.step(batch);
    const expected = model.variables.map((v) => Array.from(v.dataSync()));
    // restore into the same variables (they have moved on) with a fresh optimizer and plateau
    const plateau2 = new ReduceOnPlateau({initial: 0.01, patience: 0, factor: 0.5});
    const opt2 = tf.train.adam(0.01);
    const t2 = await Trainer.restore(tf.io.fromMemory(artifacts!), {model, optimizer: opt2, logEvery: 0, stateful: {plateau: plateau2}});
    expect(t2.step_).toBe(3);
    expect(t2.seed).toBe(4);
    expect(plateau2.value).toBeCloseTo(0.005);
    expect(await Trainer.readExtra(tf.io.fromMemory(artifacts!))).toEqual({note: 'hi'});
    for (let i = 0; i < 2; i++) await t2.step(batch);
    model.variables.forEach((v, i) => expectClose(v, expected[i], {rtol: 1e-5, atol: 1e-7}));
    tf.dispose([batch.x, batch.y]);
    trainer.dispose();
    t2.dispose();
    model.dispose();
    trainer.optimizer.dispose();
    opt2.dispose();
  });

  it("a 'scheme://' string goes through tf.io's routers (as 'indexeddb://' does in a browser)", async () => {
    const model = tinyModel(4, 8, 3, 5);
    const batch = tinyBatch();
    const trainer = new Trainer({model, optimizer: tf.train.momentum(0.1, 0.9), logEvery: 0});
    await trainer.step(batch);
    const saved = model.variables.map((v) => Array.from(v.dataSync()));
    expect(await trainer.save('mem://run-a', {config: 1})).toBe('mem://run-a');
    await trainer.step(batch);
    const t2 = await Trainer.restore('mem://run-a', {model, optimizer: tf.train.momentum(0.1, 0.9), logEvery: 0});
    expect(t2.step_).toBe(1);
    model.variables.forEach((v, i) => expectClose(v, saved[i]));
    expect(await Trainer.readExtra('mem://run-a')).toEqual({config: 1});
    tf.dispose([batch.x, batch.y]);
    trainer.dispose();
    t2.dispose();
    model.dispose();
  });
});

describe('tf.io checkpoint errors', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('indexeddb:// in Node says IndexedDB is browser-only', async () => {
    const model = tinyModel();
    const trainer = new Trainer({model, optimizer: tf.train.sgd(0.1), logEvery: 0});
    await expect(trainer.save('indexeddb://run')).rejects.toThrow(/no tf.io save handler for indexeddb:\/\/run \(IndexedDB and localStorage exist only in browsers; in Node give a directory path\)/);
    await expect(Trainer.restore('indexeddb://run', {model, optimizer: tf.train.sgd(0.1)})).rejects.toThrow(/no tf.io load handler for indexeddb:\/\/run/);
    await expect(Trainer.restore({} as tf.io.IOHandler, {model, optimizer: tf.train.sgd(0.1)})).rejects.toThrow(/expected a directory path, a tf.io URL or a tf.io.IOHandler with load\(\)/);
    model.dispose();
  });

  it('artifacts without a stable-train checkpoint, or with corrupted weights, are named errors', async () => {
    const model = tinyModel();
    const opts = {model, optimizer: tf.train.sgd(0.1), logEvery: 0};
    await expect(Trainer.restore(tf.io.fromMemory({modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0)}), opts))
      .rejects.toThrow(/holds no stable-train checkpoint/);
    const trainer = new Trainer(opts);
    await trainer.save('mem://bad');
    const a = store.get('bad')!;
    new Uint8Array(a.weightData as ArrayBuffer)[3] ^= 0xff;
    await expect(Trainer.restore('mem://bad', opts)).rejects.toThrow(/mem:\/\/bad is corrupted/);
    const other = tinyModel(4, 5, 3);
    await trainer.save('mem://ok');
    await expect(Trainer.restore('mem://ok', {model: other, optimizer: tf.train.sgd(0.1)})).rejects.toThrow(/checkpoint mem:\/\/ok does not match[\s\S]*not in the model/);
    model.dispose();
    other.dispose();
  });
});
