import * as tf from '@tensorflow/tfjs-core';
import {spawn, spawnSync} from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {Trainer} from './trainer';
import {ArrayDataset} from './data/dataset';
import {tinyBatch, tinyModel} from './test_util';

const ROOT = path.resolve(__dirname, '../../..');
// `node --import tsx` runs in one process, so SIGKILL hits the training process itself
// (the tsx CLI would leave its node child running).
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;
// The child scripts live in a temp folder: NODE_PATH lets them resolve the repo's packages.
const ENV = {...process.env, NODE_PATH: path.join(ROOT, 'node_modules')};
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'st-ckpt-'));

// The child trains a small seeded model with fit() and checkpoints every 10 steps; `full` runs
// uninterrupted, `resume` restores from the folder and finishes; both print the final weights.
const CHILD = `
import * as tf from '@tensorflow/tfjs-core';
import {setupBackend} from ${JSON.stringify(path.join(__dirname, 'backends'))};
import {Trainer} from ${JSON.stringify(path.join(__dirname, 'trainer'))};
import {ArrayDataset} from ${JSON.stringify(path.join(__dirname, 'data/dataset'))};
import {createRng} from ${JSON.stringify(path.join(__dirname, 'rng'))};
const [mode, dir, steps] = process.argv.slice(2);
(async () => {
  await setupBackend({backend: 'cpu'});
  const rng = createRng(5);
  const x = Float32Array.from({length: 64 * 6}, () => rng.normal());
  const y = Array.from({length: 64}, (_, i) => (x[i * 6] + x[i * 6 + 1] > 0 ? 1 : 0));
  const data = new ArrayDataset({x, y, inputShape: [6], numClasses: 2});
  const w1 = tf.variable(tf.randomNormal([6, 16], 0, 0.5, 'float32', 1), true, 'm/d1/kernel');
  const b1 = tf.variable(tf.zeros([16]), true, 'm/d1/bias');
  const w2 = tf.variable(tf.randomNormal([16, 2], 0, 0.5, 'float32', 2), true, 'm/d2/kernel');
  const model = {variables: [w1, b1, w2], inputShape: [6], dispose() {},
    apply: (v: tf.Tensor) => tf.tidy(() => tf.matMul(tf.tanh(tf.add(tf.matMul(v, w1), b1)), w2))};
  const opts = {model, optimizer: tf.train.momentum(0.05, 0.9), schedule: (s: number) => 0.05 / (1 + s / 100), seed: 11, logEvery: 0};
  const trainer = mode === 'resume' ? await Trainer.restore(dir, opts) : new Trainer(opts);
  if (mode === 'resume') console.log('RESUMED ' + trainer.step_);
  await trainer.fit(data, {batchSize: 16, steps: Number(steps), checkpointDir: dir, checkpointEvery: 10});
  console.log('WEIGHTS ' + JSON.stringify(model.variables.map((v) => Array.from(v.dataSync()))));
})();
`;

function runChild(script: string, args: string[]): {out: string; code: number | null} {
  const r = spawnSync(NODE_TSX[0], [...NODE_TSX.slice(1), script, ...args], {cwd: ROOT, env: ENV, encoding: 'utf8', timeout: 120000});
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return {out: r.stdout, code: r.status};
}
const weightsOf = (out: string): number[][] => JSON.parse(out.split('WEIGHTS ')[1]);

describe('checkpoints across a real kill -9', () => {
  it('a resumed run ends with the same weights as an uninterrupted one', async () => {
    const dir = tmp();
    const script = path.join(dir, 'child.ts');
    fs.writeFileSync(script, CHILD);
    const steps = '1200';
    const full = weightsOf(runChild(script, ['full', path.join(dir, 'full'), steps]).out);
    const run = path.join(dir, 'killed');
    const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), script, 'run', run, steps], {cwd: ROOT, env: ENV, stdio: 'ignore'});
    const latest = path.join(run, 'latest.json');
    // kill -9 once a few checkpoints exist, while it is still training
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        try {
          if (fs.existsSync(latest) && JSON.parse(fs.readFileSync(latest, 'utf8')).step >= 200) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolve();
          }
        } catch { /* pointer being replaced: retry */ }
      }, 20);
      child.on('exit', () => { clearInterval(timer); reject(new Error('child finished before it was killed')); });
    });
    await new Promise((r) => child.on('exit', r));
    const at = JSON.parse(fs.readFileSync(latest, 'utf8')).step;
    expect(at).toBeLessThan(1200);
    const resumed = runChild(script, ['resume', run, steps]).out;
    expect(resumed).toContain(`RESUMED ${at}`);
    expect(weightsOf(resumed)).toEqual(full);
    fs.rmSync(dir, {recursive: true, force: true});
  }, 240000);
});

describeBackends(['cpu', 'wasm'], () => {
  it('save / restore round-trips params, optimizer state, step and guard state without leaks', async () => {
    const dir = tmp();
    const model = tinyModel(4, 8, 3, 2);
    const batch = tinyBatch();
    const trainer = new Trainer({model, optimizer: tf.train.adam(0.01), logEvery: 0, seed: 3});
    for (let i = 0; i < 3; i++) await trainer.step(batch);
    await expectNoLeak(async () => { await trainer.save(dir); });
    for (let i = 0; i < 2; i++) await trainer.step(batch);
    const expected = model.variables.map((v) => Array.from(v.dataSync()));
    const model2 = tinyModel(4, 8, 3, 9);
    // same names as the first model so the checkpoint matches
    const renamed = {...model2, variables: model2.variables.map((v, i) => {
      const w = tf.variable(v, true, model.variables[i].name + '#2');
      return w;
    })};
    tf.dispose(model.variables);
    const same = tinyModel(4, 8, 3, 9);
    const vars = same.variables.map((v, i) => tf.variable(v, true, model.variables[i].name));
    const m3 = {inputShape: [4], variables: vars, dispose: () => tf.dispose(vars),
      apply: (x: tf.Tensor) => tf.tidy(() => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, vars[0]), vars[1])), vars[2]), vars[3]))};
    const t2 = await Trainer.restore(dir, {model: m3, optimizer: tf.train.adam(0.01), logEvery: 0});
    expect(t2.step_).toBe(3);
    expect(t2.seed).toBe(3);
    for (let i = 0; i < 2; i++) await t2.step(batch);
    m3.variables.forEach((v, i) => expectClose(v, expected[i], {rtol: 1e-5, atol: 1e-7}));
    tf.dispose([batch.x, batch.y, ...renamed.variables]);
    model2.dispose();
    same.dispose();
    m3.dispose();
    fs.rmSync(dir, {recursive: true, force: true});
  });
});

describe('bad checkpoints', () => {
  beforeAll(() => tf.setBackend('cpu'));
  const setup = async (): Promise<{dir: string; where: string; trainer: Trainer}> => {
    const dir = tmp();
    const model = tinyModel();
    const trainer = new Trainer({model, optimizer: tf.train.sgd(0.1), logEvery: 0});
    const where = await trainer.save(dir);
    return {dir, where, trainer};
  };

  it('a corrupted weights file is named', async () => {
    const {dir, where, trainer} = await setup();
    const f = path.join(where, 'weights.bin');
    const b = fs.readFileSync(f);
    b[5] ^= 0xff;
    fs.writeFileSync(f, b);
    await expect(Trainer.restore(dir, {model: trainer.model, optimizer: tf.train.sgd(0.1)})).rejects.toThrow(/is corrupted: weights.bin/);
    trainer.model.dispose();
  });

  it('a mismatched model lists every difference', async () => {
    const {dir, trainer} = await setup();
    const other = tinyModel(4, 5, 3);
    await expect(Trainer.restore(dir, {model: other, optimizer: tf.train.adam(0.1)})).rejects.toThrow(
      /does not match[\s\S]*is in the checkpoint but not in the model[\s\S]*is in the model but not in the checkpoint[\s\S]*optimizer is SGD in the checkpoint but Adam now/,
    );
    trainer.model.dispose();
    other.dispose();
  });

  it('a missing folder or broken meta.json is a clear error', async () => {
    await expect(Trainer.restore('/nonexistent/run', {model: tinyModel(), optimizer: tf.train.sgd(1)})).rejects.toThrow(/no checkpoint in \/nonexistent\/run/);
    const {where, dir, trainer} = await setup();
    fs.writeFileSync(path.join(where, 'meta.json'), '{oops');
    await expect(Trainer.restore(dir, {model: trainer.model, optimizer: tf.train.sgd(0.1)})).rejects.toThrow(/cannot read .*meta.json/);
    trainer.model.dispose();
  });

  it('a crash mid-write (a stray temp folder) leaves the previous checkpoint usable', async () => {
    const {dir, trainer} = await setup();
    fs.mkdirSync(path.join(dir, '.tmp-step-00000099-1-1'));
    fs.writeFileSync(path.join(dir, '.tmp-step-00000099-1-1', 'weights.bin'), 'partial');
    const t = await Trainer.restore(dir, {model: trainer.model, optimizer: tf.train.sgd(0.1)});
    expect(t.step_).toBe(0);
    trainer.model.dispose();
  });

  it('fit rejects an empty dataset and a too-large batch', async () => {
    expect(() => new ArrayDataset({x: [], y: [], inputShape: [4], numClasses: 3})).toThrow(/empty/);
    const ds = new ArrayDataset({x: new Float32Array(8), y: [0, 1], inputShape: [4], numClasses: 3});
    const trainer = new Trainer({model: tinyModel(), optimizer: tf.train.sgd(0.1)});
    await expect(trainer.fit(ds, {batchSize: 4, steps: 1})).rejects.toThrow(/2 samples, fewer than batchSize 4/);
    expect(() => new ArrayDataset({x: new Float32Array(8), y: [0, 7], inputShape: [4], numClasses: 3})).toThrow(/label 1 is 7, outside the class range \[0, 2\]/);
    trainer.model.dispose();
  });
});
