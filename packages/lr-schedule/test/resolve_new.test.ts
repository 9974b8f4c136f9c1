// resolveSchedule's new types (multiplicative, constantFactor, chained, swa, lambda) and strict
// options; resolveOptimizer; argument errors of the new schedules.
import * as tf from '@tensorflow/tfjs-core';
import {
  chainedSchedule, constantFactor, exponentialDecay, multiplicative, OPTIMIZER_TYPES, resolveOptimizer, resolveSchedule, swaSchedule,
  TorchAdafactor, TorchLars,
} from '../src';

describe('resolveSchedule: new types', () => {
  it('lambda = PyTorch LambdaLR: initial · fn(step), fn named in {lambdas} or given in code', () => {
    const warmup = (i: number) => Math.min(1, (i + 1) / 10);
    const s = resolveSchedule({type: 'lambda', initial: 0.2, fn: 'warmup'}, {lambdas: {warmup}});
    expect([s(0), s(4), s(20)]).toEqual([0.2 * 0.1, 0.2 * 0.5, 0.2]);
    expect(resolveSchedule({type: 'lambda', initial: 0.2, fn: warmup})(9)).toBe(0.2);
    expect(() => resolveSchedule({type: 'lambda', initial: 0.2, fn: 'nope'}, {lambdas: {warmup}}))
      .toThrow('resolveSchedule: lambda.fn must be a function or the name of one passed in {lambdas} (known: warmup), got "nope"');
  });
  it('multiplicative with a named factor function: lr(i) = lr(i-1)·f(i)', () => {
    const s = resolveSchedule({type: 'multiplicative', initial: 1, factor: 'half_then_one'}, {lambdas: {half_then_one: (k) => (k <= 2 ? 0.5 : 1)}});
    expect([s(0), s(1), s(2), s(3), s(2.7)]).toEqual([1, 0.5, 0.25, 0.25, 0.25]);
  });
  it('chained multiplies factor schedules built with initial 1, and rejects other initials', () => {
    const s = resolveSchedule({type: 'chained', initial: 0.1, schedules: [{type: 'constantFactor', factor: 0.5, totalIters: 3}, {type: 'exponential', gamma: 0.9}]});
    const ref = chainedSchedule({initial: 0.1, schedules: [constantFactor({initial: 1, factor: 0.5, totalIters: 3}), exponentialDecay({initial: 1, gamma: 0.9})]});
    for (const i of [0, 2, 3, 10]) expect(s(i)).toBe(ref(i));
    expect(s(3)).toBeCloseTo(0.1 * 0.9 ** 3, 15);
    expect(() => resolveSchedule({type: 'chained', initial: 0.1, schedules: [{type: 'exponential', initial: 0.5, gamma: 0.9}]}))
      .toThrow('resolveSchedule: chained.schedules[0].initial must be 1 or absent');
    expect(() => resolveSchedule({type: 'chained', initial: 0.1, schedules: [{type: 'oneCycle', maxValue: 1, totalSteps: 10}]}))
      .toThrow('resolveSchedule: chained.schedules[0] must be a spec of type');
  });
  it('swa: cos and linear annealing, annealEpochs 0 = swaLr at once', () => {
    const s = resolveSchedule({type: 'swa', initial: 0.1, swaLr: 0.02, annealEpochs: 4, annealStrategy: 'linear'});
    expect([0, 2, 4, 9].map(s).map((v) => +v.toFixed(15))).toEqual([0.1, 0.06, 0.02, 0.02]);
    expect(swaSchedule({initial: 0.1, swaLr: 0.02, annealEpochs: 0})(0)).toBe(0.02);
  });
  it('rejects unknown options of every type (strict), e.g. PyTorch spellings', () => {
    expect(() => resolveSchedule({type: 'constantFactor', initial: 0.1, total_iters: 3}))
      .toThrow("resolveSchedule: constantFactor: unknown option 'total_iters'; expected one of initial, factor, totalIters");
    expect(() => resolveSchedule({type: 'cosine', initial: 0.1, decaySteps: 10, T_max: 3})).toThrow("resolveSchedule: cosine: unknown option 'T_max'");
  });
  it.each([
    [() => multiplicative({initial: 0.1, factor: -1}), 'multiplicative: factor must be a finite number >= 0, got -1'],
    [() => multiplicative({initial: 0.1, factor: () => NaN})(1), 'multiplicative: factor(1) must return a finite number >= 0, got NaN'],
    [() => constantFactor({initial: 0.1, factor: 1.5}), 'constantFactor: factor must be a number in [0, 1], got 1.5'],
    [() => constantFactor({initial: 0.1, totalIters: -1}), 'constantFactor: totalIters must be an integer >= 0, got -1'],
    [() => chainedSchedule({initial: 0.1, schedules: []}), 'chainedSchedule: schedules must be a non-empty array of schedule functions'],
    [() => swaSchedule({initial: 0.1, swaLr: 0.05, annealStrategy: 'step' as never}), "swaSchedule: annealStrategy must be one of 'cos', 'linear', got \"step\""],
    [() => swaSchedule({initial: 0.1} as never), 'swaSchedule: swaLr must be a finite number >= 0, got undefined'],
    [() => swaSchedule({initial: 0.1, swaLr: 0.1})(-1), 'swaSchedule: step must be a finite number >= 0, got -1'],
  ])('%#: %s', (f, msg) => expect(f).toThrow(msg));
});

describe('resolveOptimizer', () => {
  it('builds every optimizer by name, with a schedule spec as lr', () => {
    expect(OPTIMIZER_TYPES).toEqual(['sgd', 'adam', 'adamw', 'adagrad', 'rmsprop', 'nadam', 'radam', 'adamax', 'adadelta', 'lion', 'lamb', 'lars', 'adafactor']);
    for (const type of OPTIMIZER_TYPES) {
      const o = resolveOptimizer({type, lr: 0.01});
      expect(o.getClassName()).toMatch(/^StableTrain/);
      o.dispose();
    }
    const l = resolveOptimizer({type: 'lars', lr: {type: 'swa', initial: 1, swaLr: 0.5, annealEpochs: 2}, nesterov: true}) as TorchLars;
    expect(l).toBeInstanceOf(TorchLars);
    expect(l.nesterov).toBe(true);
    expect(l.currentLr).toBe(1);
    const a = resolveOptimizer({type: 'adafactor', lr: null, clippingThreshold: null}) as TorchAdafactor;
    expect(a.getConfig().lr).toBeNull();
    expect(a.clippingThreshold).toBeNull();
  });
  it('rejects unknown types and options before making any tensor', () => {
    const before = tf.memory().numTensors;
    expect(() => resolveOptimizer({type: 'adabelief', lr: 0.1})).toThrow("resolveOptimizer: type must be one of sgd, adam, adamw, adagrad, rmsprop, nadam, radam, adamax, adadelta, lion, lamb, lars, adafactor, got \"adabelief\"");
    expect(() => resolveOptimizer({type: 'lion', lr: 0.1, b1: 0.9})).toThrow("resolveOptimizer: lion: unknown option 'b1'; expected one of lr, beta1, beta2, weightDecay");
    expect(() => resolveOptimizer({type: 'nadam', formula: 'torch3'})).toThrow("nadam: formula must be one of 'torch2', 'torch1.13'");
    expect(() => resolveOptimizer(null as never)).toThrow("resolveOptimizer: spec must be an object with a string 'type', got null");
    expect(tf.memory().numTensors).toBe(before);
  });
});
