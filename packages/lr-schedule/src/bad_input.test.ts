// Property-based bad-input tests (fast-check) for every public function of the package: hostile
// arguments give a clear error (`fn: param …`) or a correct result, never a silently wrong one,
// and no tensor leaks either way. cpu backend: these check argument handling, not numerics.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {clearOrCorrect, hostileNumber, hostileValue} from '@stable-train/testing';
import * as lr from './index';

const RUNS = 40;
/** A usable value per option key, so that some hostile specs are otherwise valid. */
const GOOD: Record<string, unknown> = {
  value: 0.1, initial: 0.1, stepSize: 10, gamma: 0.5, milestones: [10, 20], decaySteps: 100, final: 0, periodic: false,
  staircase: true, period: 10, periodMult: 2, maxValue: 1, totalSteps: 100, pctStart: 0.3, anneal: 'cos', divFactor: 25,
  finalDivFactor: 1e4, threePhase: false, startFactor: 0.1, endFactor: 1, steps: 10, power: 1, baseValue: 0.01,
  stepSizeUp: 10, stepSizeDown: 10, mode: 'triangular', peak: 1, warmupSteps: 10, factor: 0.9, totalIters: 5,
  swaLr: 0.05, annealEpochs: 5, annealStrategy: 'cos', baseMomentum: 0.85, maxMomentum: 0.95,
  schedules: [{type: 'step', stepSize: 3}], boundaries: [], fn: 'f',
};
const SCHEDULES: [string, string, (o: unknown) => lr.Schedule][] = [
  ['constantSchedule', 'constant', (o) => lr.constantSchedule((o as {value: number})?.value)],
  ['stepDecay', 'step', (o) => lr.stepDecay(o as never)], ['multiStepDecay', 'multiStep', (o) => lr.multiStepDecay(o as never)],
  ['exponentialDecay', 'exponential', (o) => lr.exponentialDecay(o as never)], ['cosineDecay', 'cosine', (o) => lr.cosineDecay(o as never)],
  ['cosineRestarts', 'cosineRestarts', (o) => lr.cosineRestarts(o as never)], ['oneCycle', 'oneCycle', (o) => lr.oneCycle(o as never)],
  ['oneCycleMomentum', 'oneCycle', (o) => lr.oneCycleMomentum(o as never)], ['linearRamp', 'linear', (o) => lr.linearRamp(o as never)],
  ['polynomialDecay', 'polynomial', (o) => lr.polynomialDecay(o as never)], ['cyclic', 'cyclic', (o) => lr.cyclic(o as never)],
  ['cyclicMomentum', 'cyclic', (o) => lr.cyclicMomentum(o as never)], ['warmupCosine', 'warmupCosine', (o) => lr.warmupCosine(o as never)],
  ['inverseSqrt', 'inverseSqrt', (o) => lr.inverseSqrt(o as never)], ['multiplicative', 'multiplicative', (o) => lr.multiplicative(o as never)],
  ['constantFactor', 'constantFactor', (o) => lr.constantFactor(o as never)], ['swaSchedule', 'swa', (o) => lr.swaSchedule(o as never)],
  ['chainedSchedule', 'chained', (o) => lr.chainedSchedule({...(o as object), schedules: [lr.stepDecay({initial: 1, stepSize: 3})]} as never)],
];
const KEYS = Object.keys(GOOD);
/** Options: most keys usable, a few hostile (so that each hostile value meets a live code path). */
const optsArb = fc.oneof(
  {weight: 1, arbitrary: hostileValue},
  {weight: 6, arbitrary: fc.tuple(fc.subarray(KEYS, {maxLength: 3}), fc.array(hostileValue, {minLength: 3, maxLength: 3})).map(([bad, vals]) => {
    const o: Record<string, unknown> = {...GOOD};
    bad.forEach((k, i) => (o[k] = vals[i]));
    return o;
  })},
);
const stepArb = fc.oneof(fc.integer({min: 0, max: 1000}), hostileNumber, fc.constant(1e6));

/**
 * A schedule value is right when it is a number >= 0: never NaN or negative. +Infinity is the
 * true value of a growing schedule (gamma > 1) that overflowed, and optimizers refuse it clearly.
 */
const okValue = (v: unknown): boolean => typeof v === 'number' && v >= 0;

describe('lr-schedule schedules: clear error or a finite value >= 0', () => {
  it.each(SCHEDULES)('%s', (name, _type, make) => {
    fc.assert(fc.property(optsArb, fc.array(stepArb, {minLength: 1, maxLength: 4}), (o, steps) => {
      let s: lr.Schedule | undefined;
      if (clearOrCorrect(name, [...KEYS, 'options', 'opts', 'step'], () => {
        s = make(o);
      }, {check: () => true}) === 'threw') return;
      for (const step of steps) clearOrCorrect(name, ['step', 'factor', 'fn'], () => s!(step as number), {check: okValue});
    }), {numRuns: RUNS});
  });

  it('resolveSchedule, scheduleFromSpec, sequence, describedSchedule/scheduleSpec', () => {
    const types = [...lr.SCHEDULE_TYPES, 'lambda', 'constructor', '__proto__', 'nope'];
    const lambdas = {f: (k: number) => (k === 3 ? NaN : 1 / (k + 1)), g: () => -1};
    fc.assert(fc.property(fc.constantFrom(...types), optsArb, stepArb, (type, o, step) => {
      const spec = typeof o === 'object' && o !== null ? {type, ...(o as object)} : o;
      const builders = SCHEDULES.map(([n]) => n).concat(['resolveSchedule', 'sequence']);
      let s: lr.Schedule | undefined;
      if (clearOrCorrect('resolveSchedule', ['spec', 'type', 'option', ...KEYS], () => {
        s = lr.resolveSchedule(spec as never, {lambdas});
      }, {check: () => true, prefixes: builders}) === 'ok') {
        clearOrCorrect('resolveSchedule', ['step', 'fn', 'factor'], () => s!(step as number), {check: okValue, prefixes: builders});
      }
      clearOrCorrect('scheduleFromSpec', ['spec', 'type', 'option', ...KEYS], () => lr.scheduleFromSpec(spec as never), {check: (f) => typeof f === 'function', prefixes: builders});
    }), {numRuns: RUNS * 3});
    fc.assert(fc.property(fc.array(fc.oneof(hostileValue, fc.constant(lr.constantSchedule(0.1))), {maxLength: 3}), fc.oneof(hostileValue, fc.array(hostileNumber, {maxLength: 2}), fc.constant([5])), stepArb, (ss, bs, step) => {
      let s: lr.Schedule | undefined;
      if (clearOrCorrect('sequence', ['schedules', 'boundaries'], () => {
        s = lr.sequence(ss as never, bs as never);
      }, {check: () => true}) === 'ok') clearOrCorrect('sequence', ['step'], () => s!(step as number), {check: okValue});
    }), {numRuns: RUNS});
    fc.assert(fc.property(hostileValue, hostileValue, (spec, f) => {
      clearOrCorrect('describedSchedule', ['spec', 's', 'schedule'], () => lr.describedSchedule(spec as never, f as never), {check: (r) => typeof r === 'function'});
      clearOrCorrect('scheduleSpec', ['s', 'schedule'], () => lr.scheduleSpec(f as never), {check: (r) => r === undefined || typeof r === 'object'});
    }), {numRuns: RUNS});
  });

  it('resolveSchedule: each type with its own options, one of them hostile; lambdas that return bad values', () => {
    const own = (type: string): Record<string, unknown> => {
      const keys: Record<string, string[]> = {
        constant: ['value'], step: ['initial', 'stepSize', 'gamma'], multiStep: ['initial', 'milestones', 'gamma'],
        exponential: ['initial', 'gamma', 'decaySteps', 'staircase'], cosine: ['initial', 'decaySteps', 'final', 'periodic'],
        cosineRestarts: ['initial', 'period', 'periodMult', 'final'], oneCycle: ['maxValue', 'totalSteps', 'pctStart', 'anneal', 'divFactor', 'finalDivFactor', 'threePhase'],
        linear: ['initial', 'startFactor', 'endFactor', 'steps'], polynomial: ['initial', 'decaySteps', 'power', 'final'],
        cyclic: ['baseValue', 'maxValue', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma'], warmupCosine: ['initial', 'peak', 'warmupSteps', 'decaySteps', 'final'],
        inverseSqrt: ['peak', 'warmupSteps'], multiplicative: ['initial', 'factor'], constantFactor: ['initial', 'factor', 'totalIters'],
        swa: ['initial', 'swaLr', 'annealEpochs', 'annealStrategy'], lambda: ['initial', 'fn'],
      };
      return Object.fromEntries((keys[type] ?? []).map((k) => [k, GOOD[k]]));
    };
    const types = ['constant', 'step', 'multiStep', 'exponential', 'cosine', 'cosineRestarts', 'oneCycle', 'linear', 'polynomial', 'cyclic', 'warmupCosine', 'inverseSqrt', 'multiplicative', 'constantFactor', 'swa', 'lambda'];
    const lambdas = {f: (k: number) => (k === 3 ? NaN : 1 / (k + 1)), g: () => -1, h: () => 'x' as unknown as number};
    const builders = SCHEDULES.map(([n]) => n).concat(['resolveSchedule']);
    fc.assert(fc.property(fc.constantFrom(...types), fc.option(fc.constantFrom(...KEYS), {nil: undefined}), hostileValue, fc.constantFrom('f', 'g', 'h'), (type, bad, value, fnName) => {
      const spec: Record<string, unknown> = {type, ...own(type)};
      if (type === 'lambda' || type === 'multiplicative') spec[type === 'lambda' ? 'fn' : 'factor'] = fnName;
      if (bad !== undefined && bad in spec) spec[bad] = value;
      let s: lr.Schedule | undefined;
      if (clearOrCorrect('resolveSchedule', ['spec', 'type', 'option', ...KEYS], () => {
        s = lr.resolveSchedule(spec as never, {lambdas});
      }, {check: () => true, prefixes: builders}) === 'threw') return;
      for (const step of [0, 1, 2, 3, 4, 99, 100]) clearOrCorrect('resolveSchedule', ['step', 'fn', 'factor'], () => s!(step), {check: okValue, prefixes: builders});
    }), {numRuns: RUNS * 3});
  });

  it('ReduceOnPlateau', () => {
    const keys = ['initial', 'mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minValue', 'eps'];
    fc.assert(fc.property(fc.oneof(hostileValue, fc.record({initial: fc.oneof(fc.constant(0.1), hostileNumber), factor: fc.oneof(fc.constant(0.5), hostileNumber), patience: fc.oneof(fc.constant(0), hostileNumber), mode: fc.oneof(fc.constant('min'), hostileValue), cooldown: hostileNumber}, {requiredKeys: ['initial']})), fc.array(hostileNumber, {maxLength: 5}), fc.oneof(hostileValue, fc.record({value: hostileNumber, best: hostileNumber, numBadSteps: hostileNumber, cooldownCounter: hostileNumber, numReductions: hostileNumber})), (o, metrics, state) => {
      let p: lr.ReduceOnPlateau | undefined;
      if (clearOrCorrect('ReduceOnPlateau', [...keys, 'options'], () => {
        p = new lr.ReduceOnPlateau(o as never);
      }, {check: () => true}) === 'threw') return;
      for (const m of metrics) clearOrCorrect('ReduceOnPlateau.step', ['metric'], () => p!.step(m as number), {check: (v) => okValue(v) && (v as number) > 0});
      clearOrCorrect('ReduceOnPlateau.setState', ['state', 'options', 'value', 'best', 'numBadSteps', 'cooldownCounter', 'numReductions'], () => p!.setState(state as never), {check: () => okValue(p!.value) && p!.value > 0});
    }), {numRuns: RUNS});
  });
});

describe('lr-schedule optimizers: clear error or a finite update, no leak', () => {
  const OPT_KEYS = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize', 'beta1', 'beta2', 'eps', 'amsgrad', 'lrDecay', 'initialAccumulatorValue', 'alpha', 'centered', 'momentumDecay', 'rho', 'epsRoot', 'trustCoefficient', 'decayRate', 'clippingThreshold'];
  const optOpts = fc.oneof(
    {weight: 1, arbitrary: hostileValue},
    {weight: 6, arbitrary: fc.record({lr: fc.oneof(fc.constant(0.01), hostileValue, fc.constant(lr.cosineDecay({initial: 0.1, decaySteps: 2}))), ...Object.fromEntries(OPT_KEYS.slice(1).map((k) => [k, hostileValue]))}, {requiredKeys: ['lr']})},
  );
  const gradArb = fc.constantFrom<(name: string) => unknown>(
    (n) => ({[n]: tf.ones([2, 3])}), (n) => ({[n]: tf.ones([2, 3], 'int32')}), (n) => ({[n]: tf.ones([3, 2])}), (n) => ({[n]: tf.fill([2, 3], NaN)}),
    () => ({no_such_variable_bad_input: tf.ones([2, 3])}), () => ({constructor: tf.ones([2, 3])}), (n) => ({[n]: 3}), (n) => ({[n]: null}),
    (n) => [{name: n, tensor: tf.ones([2, 3])}], () => null, () => 'g', () => [{name: 'x'}],
  );
  /** Each optimizer's own options with a usable value (from resolveOptimizer's table). */
  const OWN: Record<string, Record<string, unknown>> = {
    sgd: {lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0.01, maximize: false},
    adam: {lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false},
    adamw: {lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: true},
    adagrad: {lr: 0.1, lrDecay: 0, eps: 1e-10, initialAccumulatorValue: 0, weightDecay: 0, maximize: false},
    rmsprop: {lr: 0.1, alpha: 0.99, eps: 1e-8, momentum: 0.9, centered: true, weightDecay: 0, maximize: false},
    nadam: {lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3},
    radam: {lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0},
    adamax: {lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0},
    adadelta: {lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0},
    lion: {lr: 0.1, beta1: 0.9, beta2: 0.99, weightDecay: 0},
    lamb: {lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-6, epsRoot: 0, weightDecay: 0},
    lars: {lr: 0.1, momentum: 0.9, weightDecay: 0, trustCoefficient: 0.001, eps: 1e-8, nesterov: false},
    adafactor: {lr: 0.01, minDimSizeToFactor: 2, decayRate: 0.8, decayOffset: 0, multiplyByParameterScale: true, clippingThreshold: 1, momentum: 0.9, weightDecayRate: 0, eps: 1e-30, factored: true},
  };
  it.each(lr.OPTIMIZER_TYPES.map((t) => [t]))('%s', (type) => {
    const v = tf.variable(tf.ones([2, 3]), true, `bad_input_${type}`);
    const keys = Object.keys(OWN[type]);
    const ownOpts = fc.oneof(
      {weight: 1, arbitrary: hostileValue},
      {weight: 8, arbitrary: fc.tuple(fc.subarray(keys, {maxLength: 2}), fc.array(fc.oneof(hostileValue, fc.constant(lr.cosineDecay({initial: 0.1, decaySteps: 2}))), {minLength: 2, maxLength: 2})).map(([bad, vals]) => {
        const o: Record<string, unknown> = {...OWN[type]};
        bad.forEach((k, i) => (o[k] = vals[i]));
        return o;
      })},
    );
    fc.assert(fc.property(ownOpts, gradArb, gradArb, gradArb, (o, g1, g2, g3) => {
      const make = (lr as unknown as Record<string, (o: unknown) => tf.Optimizer>)[type];
      let opt: tf.Optimizer | undefined;
      const before = tf.memory().numTensors;
      if (clearOrCorrect(type, [...keys, 'options', 'opts', 'option', 'formula'], () => {
        opt = make(o);
      }, {check: () => true}) === 'threw') return;
      tf.tidy(() => v.assign(tf.ones([2, 3])));
      // a NaN gradient makes NaN weights (as in PyTorch), for every later step too; so may an absurd
      // (float32-representable) lr or weight decay above 1e30 overflow them: PyTorch does the same
      let nanSeen = typeof o === 'object' && o !== null && Object.values(o).some((x) => typeof x === 'number' && Math.abs(x) > 1e30);
      for (const g of [g1, g2, g3]) {
        const grads = g(v.name);
        try {
          // the first update of a variable makes its state (slots): up to 4 tensors on purpose
          clearOrCorrect(type, ['applyGradients', 'variableGradients', 'gradient', 'lr', ...keys], () => opt!.applyGradients(grads as never), {
            allowed: 4,
            check: () => {
              const ok = Array.from(v.dataSync()).every(Number.isFinite);
              const finiteIn = grads !== null && typeof grads === 'object' && Object.values(grads).every((t) => !(t instanceof tf.Tensor) || Array.from(t.dataSync()).every(Number.isFinite));
              nanSeen = nanSeen || !finiteIn;
              return ok || nanSeen;
            },
          });
        } finally {
          tf.dispose(grads as tf.TensorContainer);
        }
      }
      opt!.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }), {numRuns: 30});
    v.dispose();
  });

  it('resolveOptimizer, withSchedule, setOptimizerLr, getOptimizerLr', () => {
    fc.assert(fc.property(fc.constantFrom(...lr.OPTIMIZER_TYPES, 'constructor', 'nope'), optOpts, (type, o) => {
      const spec = typeof o === 'object' && o !== null ? {type, ...(o as object)} : o;
      clearOrCorrect('resolveOptimizer', ['spec', 'type', 'option', 'lr', ...OPT_KEYS], () => lr.resolveOptimizer(spec as never), {
        check: (r) => r instanceof tf.Optimizer,
        prefixes: [...lr.OPTIMIZER_TYPES, 'resolveSchedule', ...SCHEDULES.map(([n]) => n)],
      });
    }), {numRuns: RUNS * 2});
    fc.assert(fc.property(fc.oneof(hostileValue, fc.constant('sgd')), fc.oneof(hostileValue, fc.constant(lr.constantSchedule(0.1))), fc.oneof(fc.constant(undefined), hostileValue, fc.record({momentum: hostileValue})), hostileNumber, (inner, s, o, value) => {
      const opt = inner === 'sgd' ? tf.train.momentum(0.1, 0.9) : inner;
      clearOrCorrect('withSchedule', ['optimizer', 'schedule', 'options', 'momentum'], () => lr.withSchedule(opt as never, s as never, o as never), {check: (r) => r instanceof tf.Optimizer});
      // tfjs's SGD keeps -lr as a scalar it owns (freed by its dispose): one tensor on purpose
      clearOrCorrect('setOptimizerLr', ['optimizer', 'lr'], () => lr.setOptimizerLr(opt as never, value as number), {check: () => (opt as {learningRate: number}).learningRate === value, allowed: 1});
      clearOrCorrect('getOptimizerLr', ['optimizer'], () => lr.getOptimizerLr(opt as never), {check: (r) => okValue(r)});
      if (opt != null && opt instanceof tf.Optimizer) opt.dispose(); // (tfjs's momentum optimizer keeps one scalar after dispose)
    }), {numRuns: RUNS});
  });
});

describe('lr-schedule weight averaging: clear error or a correct average, no leak', () => {
  const weightsArb = fc.constantFrom<() => unknown>(
    () => ({a: tf.ones([2]), b: tf.zeros([3])}), () => ({a: tf.ones([2], 'int32')}), () => ({a: tf.ones([3])}), () => ({c: tf.ones([2])}),
    () => ({a: 1}), () => ({a: null}), () => null, () => 'w', () => [{name: 'a'}], () => [tf.ones([2])], () => ({}),
  );
  it.each([['ema'], ['swa']])('%s', (kind) => {
    fc.assert(fc.property(fc.oneof(fc.constant(undefined), hostileValue, fc.record({decay: hostileNumber, warmup: hostileValue, firstUpdateCopies: hostileValue} as never, {requiredKeys: []})), weightsArb, weightsArb, fc.oneof(hostileValue, fc.record({nAveraged: hostileNumber, values: hostileValue})), (o, w1, w2, state) => {
      const fn = kind === 'ema' ? 'ema' : 'swa';
      let avg: lr.WeightAverager | undefined;
      const before = tf.memory().numTensors;
      if (clearOrCorrect(fn, ['options', 'opts', 'decay', 'warmup', 'firstUpdateCopies', 'updateEvery'], () => {
        avg = kind === 'ema' ? lr.ema(o as never) : lr.swa();
      }, {check: () => true}) === 'threw') return;
      const label = kind;
      const a = w1();
      const b = w2();
      try {
        clearOrCorrect(`${label}.init`, ['weights'], () => avg!.init(a as never), {check: () => true, allowed: 4});
        clearOrCorrect(`${label}.update`, ['weights', 'init'], () => avg!.update(b as never), {
          check: () => Object.values(avg!.values).every((t) => t.dtype === 'float32' && Array.from(t.dataSync()).every(Number.isFinite)),
        });
        clearOrCorrect(`${label}.setState`, ['state', 'nAveraged', 'values'], () => avg!.setState(state as never), {check: () => true, allowed: 4});
      } finally {
        avg!.dispose();
        tf.dispose([a, b] as tf.TensorContainer);
      }
      expect(tf.memory().numTensors).toBe(before);
    }), {numRuns: RUNS});
  });

  it('updateBatchNormStats', async () => {
    for (const [model, data] of [[null, []], [{layers: []}, []], [{layers: [], apply: () => null}, 5], [{layers: 'x', apply: () => null}, []]] as const) {
      await expect(lr.updateBatchNormStats(model as never, data as never)).rejects.toThrow(/^updateBatchNormStats: (model|data) must /);
    }
  });
});
