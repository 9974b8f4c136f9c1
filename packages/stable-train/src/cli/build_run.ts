import {AutoClip, createClipper} from '@stable-train/grad-clip';
import {ReduceOnPlateau, resolveOptimizer, resolveSchedule} from '@stable-train/lr-schedule';
import type {ArrayDataset} from '../data/dataset';
import {loadMnist} from '../data/mnist';
import {addingProblem, teacherStudent, twoSpirals} from '../data/synthetic';
import {resolveLoss} from '../losses';
import {mlp, residualCnn, residualMlp, rnn, type Model} from '../models';
import type {Stateful, TrainerOptions} from '../trainer';
import type {GradTransform, Schedule} from '../types';
import type {RunConfig} from './config';

/** Everything a run needs, built from its config. */
export interface BuiltRun {
  model: Model;
  trainerOptions: TrainerOptions;
  train: ArrayDataset;
  test: ArrayDataset;
  /** Evaluate on the test split at the end of each epoch (plateau metric 'testLoss'). */
  validateOnTest: boolean;
  /** Frees what the run built besides the model and optimizer (AutoClip's history). */
  dispose(): void;
}

const named = <T>(field: string, f: () => T): T => {
  try {
    return f();
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`);
  }
};

/**
 * Builds data, model, optimizer, schedule, clipping and guard from a validated run config.
 * Errors from the factories are prefixed with the config field that caused them.
 * @param c the run config
 */
export async function buildRun(c: RunConfig): Promise<BuiltRun> {
  const seed = c.seed ?? 0;
  const d = c.data;
  let ds: {train: ArrayDataset; test: ArrayDataset};
  if (d.type === 'mnist') ds = await loadMnist({train: d.train, test: d.test, seed, image: c.model.type === 'residualCnn'});
  else {
    const all = named('data', () =>
      d.type === 'twoSpirals' ? twoSpirals({samples: d.samples, noise: d.noise, seed})
        : d.type === 'teacherStudent' ? teacherStudent({samples: d.samples, inputs: d.inputs, classes: d.classes, seed})
          : addingProblem({samples: d.samples, length: d.length, seed}));
    const [train, test] = all.split(0.2);
    ds = {train, test};
  }
  const inputs = ds.train.inputShape.reduce((a, b) => a * b, 1);
  const outputs = ds.train.numClasses ?? 1;
  const m = c.model;
  const name = c.name ?? 'run';
  const model = named('model', (): Model => {
    if (m.type === 'mlp') return mlp({inputs, hidden: m.hidden, outputs, activation: m.activation, kernelInit: m.init as never, norm: m.norm, seed, name});
    if (m.type === 'residualMlp') return residualMlp({inputs, width: m.width, depth: m.depth, outputs, norm: m.norm, gate: m.gate, activation: m.activation, dropPath: m.dropPath, layerScale: m.layerScale, seed, name});
    if (m.type === 'residualCnn') {
      if (ds.train.inputShape.length !== 3) throw new Error(`residualCnn needs image data, got samples of shape [${ds.train.inputShape}]`);
      return residualCnn({inputShape: ds.train.inputShape as [number, number, number], stem: m.stem, stages: m.stages, outputs, norm: m.norm, seed, name,
        dropPath: m.dropPath, layerScale: m.layerScale, squeezeExcite: m.squeezeExcite, preAct: m.preAct});
    }
    if (ds.train.inputShape.length !== 2) throw new Error(`rnn needs sequence data ([T, features]), got samples of shape [${ds.train.inputShape}]`);
    return rnn({inputs: ds.train.inputShape[1], units: m.units, outputs, recurrentInit: m.recurrentInit as never, seed, name});
  });
  const o = c.optimizer;
  const optimizer = named('optimizer', () => resolveOptimizer(o));
  const schedule: Schedule | undefined = c.schedule ? named('schedule', () => resolveSchedule(c.schedule as never)) : undefined;
  const transforms: GradTransform[] = [];
  const stateful: {[key: string]: Stateful} = {};
  const owned: {dispose(): void}[] = [];
  if (c.clip?.mode === 'auto') {
    const {mode: _mode, ...o} = c.clip;
    const auto = named('clip', () => new AutoClip(o));
    owned.push(auto);
    transforms.push(auto.transform);
    stateful.autoClip = auto;
  } else if (c.clip) {
    transforms.push(named('clip', () => createClipper(c.clip as never)));
  }
  let plateau: ReduceOnPlateau | undefined;
  if (c.plateau) {
    const {metric: _metric, minLr, ...p} = c.plateau;
    plateau = named('plateau', () => new ReduceOnPlateau({initial: o.lr, ...p, ...(minLr === undefined ? {} : {minValue: minLr})}));
    stateful.plateau = plateau;
  }
  return {
    model,
    train: ds.train,
    test: ds.test,
    validateOnTest: c.plateau?.metric === 'testLoss',
    dispose: () => owned.forEach((x) => x.dispose()),
    trainerOptions: {
      model, optimizer, schedule, transforms, guard: c.guard, seed, plateau,
      ...(c.averaging ? {averaging: c.averaging} : {}),
      ...(Object.keys(stateful).length ? {stateful} : {}),
      loss: ds.train.numClasses ? (c.loss ? resolveLoss({name: 'softmax_cross_entropy', ...c.loss}) : 'softmax_cross_entropy') : 'mse', logEvery: c.train.logEvery ?? 10,
      ...(c.train.accumulate ? {accumulate: c.train.accumulate} : {}),
    },
  };
}
