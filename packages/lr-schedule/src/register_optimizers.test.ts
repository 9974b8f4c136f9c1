// Issue 19: importing the package registers nothing; each optimizer factory registers its own
// class; registerOptimizers() and `import '@stable-train/lr-schedule/register'` register all of
// them, which is what an app that only loads a saved model needs before tf.loadLayersModel.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {expectNoLeak, useBackend} from '@stable-train/testing';
import * as lrSchedule from './index';
import {adam, adamw, registerOptimizers, ScheduledOptimizer, stepDecay, TorchAdamW, withSchedule, type TorchOptimizer} from './index';

const ALL = [
  'StableTrainSGD', 'StableTrainAdam', 'StableTrainAdamW', 'StableTrainAdagrad', 'StableTrainRMSprop', 'StableTrainNAdam',
  'StableTrainRAdam', 'StableTrainAdamax', 'StableTrainAdadelta', 'StableTrainLion', 'StableTrainLamb', 'StableTrainLars',
  'StableTrainAdafactor', 'StableTrainScheduled',
];
const classNameMap = () => tf.serialization.SerializationMap.getMap().classNameMap;
const registered = () => ALL.filter((n) => classNameMap()[n] != null);
/** What a fresh process (one that never registered the classes) sees. */
const forget = () => { for (const n of ALL) delete classNameMap()[n]; };

async function saveToMemory(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }), {includeOptimizer: true});
  return saved!;
}

function data(): [tf.Tensor, tf.Tensor] {
  return [tf.tensor2d([[0, 1, 2], [1, 0, -1], [2, 2, 0], [-1, 1, 1]]), tf.tensor2d([[1], [0], [2], [-1]])];
}

describe('optimizer registration', () => {
  beforeAll(() => useBackend('cpu'));

  it('importing the package registers nothing', () => {
    expect(Object.keys(lrSchedule)).toContain('warmupCosine');
    expect(registered()).toEqual([]);
  });

  it('a factory registers its own class only', () => {
    const opt = adam({lr: 0.1});
    expect(registered()).toEqual(['StableTrainAdam']);
    expect(classNameMap().StableTrainAdam?.[0]).toBe(opt.constructor);
    opt.dispose();
    forget();
  });

  it('registerOptimizers registers every optimizer class, returns their names, and is idempotent', () => {
    expect(registerOptimizers().sort()).toEqual([...ALL].sort());
    expect(registered()).toEqual(ALL);
    const before = ALL.map((n) => classNameMap()[n]);
    registerOptimizers();
    ALL.forEach((n, i) => expect(classNameMap()[n]).toBe(before[i])); // the same entries, not re-made
    expect(classNameMap().Adam[0]).not.toBe(lrSchedule.TorchAdam); // tfjs's own Adam stays registered
    forget();
  });

  it('covers every optimizer class the package exports (a new optimizer must be added to it)', () => {
    const exported = (Object.values(lrSchedule) as unknown[]).filter((v): v is {className: string; prototype: object} =>
      typeof v === 'function' && v.prototype != null && Object.prototype.isPrototypeOf.call(tf.Optimizer.prototype, v.prototype) &&
      Object.prototype.hasOwnProperty.call(v, 'className')); // abstract TorchOptimizer has no className of its own
    expect(exported.map((c) => c.className).sort()).toEqual([...ALL].sort());
    forget();
  });

  it("import '@stable-train/lr-schedule/register' registers every optimizer class", () => {
    expect(registered()).toEqual([]);
    require('@stable-train/lr-schedule/register');
    expect(registered()).toEqual(ALL);
    forget();
  });

  it('registering makes no tensor', () => {
    expectNoLeak(() => registerOptimizers());
    forget();
  });

  it.each([
    ['adamw', () => adamw({lr: 0.01, weightDecay: 0.01}), TorchAdamW],
    ['withSchedule(tf.train.sgd)', () => withSchedule(tf.train.sgd(0.1), stepDecay({initial: 0.1, stepSize: 2, gamma: 0.5})), ScheduledOptimizer],
  ] as const)('%s: save, then a loader that only calls registerOptimizers() restores it with its state', async (_name, make, cls) => {
    const build = () => {
      const m = tfl.sequential({layers: [tfl.layers.dense({units: 1, inputShape: [3], kernelInitializer: 'ones'})]});
      m.compile({optimizer: make(), loss: 'meanSquaredError'});
      return m;
    };
    const [xs, ys] = data();
    const model = build();
    await model.fit(xs, ys, {epochs: 3, batchSize: 4, verbose: 0});
    const saved = await saveToMemory(model);
    forget(); // the loading app starts with nothing registered
    await expect(tfl.loadLayersModel(tf.io.fromMemory(saved))).rejects.toThrow(/StableTrain/);
    registerOptimizers();
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved));
    expect(loaded.optimizer).toBeInstanceOf(cls);
    expect(loaded.optimizer.getConfig()).toEqual(model.optimizer.getConfig());
    // the state came back: 2 more epochs on both give the same weights
    await model.fit(xs, ys, {epochs: 2, batchSize: 4, verbose: 0});
    await loaded.fit(xs, ys, {epochs: 2, batchSize: 4, verbose: 0});
    const a = model.getWeights();
    loaded.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(a[i].dataSync())));
    tf.dispose([xs, ys]);
    (model.optimizer as TorchOptimizer).dispose();
    loaded.optimizer.dispose();
    model.dispose();
    loaded.dispose();
    forget();
  });
});
