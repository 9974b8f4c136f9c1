import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {constantSchedule} from './constant_schedule';
import {cosineDecay} from './cosine_decay';
import {cyclic} from './cyclic';
import {cyclicMomentum} from './cyclic_momentum';
import {exponentialDecay} from './exponential_decay';
import {inverseSqrt} from './inverse_sqrt';
import {linearRamp} from './linear_ramp';
import {multiStepDecay} from './multi_step_decay';
import {oneCycle} from './one_cycle';
import {oneCycleMomentum} from './one_cycle_momentum';
import {polynomialDecay} from './polynomial_decay';
import {sequence} from './sequence';
import {stepDecay} from './step_decay';
import {warmupCosine} from './warmup_cosine';
import {cosineRestarts} from './cosine_restarts';
import {scheduleSpec} from './described_schedule';
import {scheduleFromSpec} from './schedule_from_spec';
import {ScheduledOptimizer, withSchedule} from './with_schedule';
import {getOptimizerLr, setOptimizerLr} from './optimizer_lr';
import {adam} from './adam';

const all = {
  constant: constantSchedule(0.3),
  step: stepDecay({initial: 0.1, stepSize: 3, gamma: 0.5}),
  multiStep: multiStepDecay({initial: 0.1, milestones: [2, 5], gamma: 0.1}),
  exponential: exponentialDecay({initial: 0.1, gamma: 0.9, decaySteps: 2, staircase: true}),
  cosine: cosineDecay({initial: 0.1, decaySteps: 10, final: 0.01}),
  cosineRestarts: cosineRestarts({initial: 0.1, period: 4, periodMult: 2}),
  oneCycle: oneCycle({maxValue: 0.1, totalSteps: 30}),
  oneCycleMomentum: oneCycleMomentum({maxValue: 0.1, totalSteps: 30}),
  linear: linearRamp({initial: 0.1, startFactor: 0.1, endFactor: 1, steps: 5}),
  polynomial: polynomialDecay({initial: 0.1, decaySteps: 10, power: 2}),
  cyclic: cyclic({baseValue: 0.01, maxValue: 0.1, stepSizeUp: 3}),
  cyclicMomentum: cyclicMomentum({stepSizeUp: 3}),
  warmupCosine: warmupCosine({initial: 0, peak: 0.1, warmupSteps: 3, decaySteps: 10}),
  inverseSqrt: inverseSqrt({peak: 0.1, warmupSteps: 4}),
  sequence: sequence([linearRamp({initial: 0.1, startFactor: 0.1, endFactor: 1, steps: 3}), cosineDecay({initial: 0.1, decaySteps: 10})], [3]),
};

describe('scheduleSpec / scheduleFromSpec', () => {
  it.each(Object.entries(all))('%s survives a JSON round trip with the same values', (_name, s) => {
    const spec = scheduleSpec(s)!;
    expect(spec).toBeDefined();
    const back = scheduleFromSpec(JSON.parse(JSON.stringify(spec)));
    for (let i = 0; i < 25; i++) expect(back(i)).toBe(s(i));
    expect(scheduleSpec(back)).toEqual(spec);
  });
  it('gives undefined for hand-written functions and sequences of them', () => {
    expect(scheduleSpec((i) => i)).toBeUndefined();
    expect(scheduleSpec(sequence([(i) => i, constantSchedule(1)], [2]))).toBeUndefined();
  });
  it('rejects a spec without type', () => {
    expect(() => scheduleFromSpec({} as never)).toThrow("scheduleFromSpec: spec must be an object with a string 'type', got an object {}");
  });
});

describeBackends(['cpu', 'wasm'], () => {
  it('ScheduledOptimizer round-trips through getConfig/fromConfig (registered), momentum schedule too', async () => {
    await expectNoLeak(async () => {
      const cyc = {maxValue: 0.1, totalSteps: 12};
      const opt = withSchedule(tf.train.momentum(0.1, 0.95), oneCycle(cyc), {momentum: oneCycleMomentum(cyc)});
      const entry = tf.serialization.SerializationMap.getMap().classNameMap[opt.getClassName()];
      expect(opt.getClassName()).toBe('StableTrainScheduled');
      const back = entry[1](entry[0], JSON.parse(JSON.stringify(opt.getConfig()))) as unknown as ScheduledOptimizer;
      expect(back).toBeInstanceOf(ScheduledOptimizer);
      expect(back.inner).toBeInstanceOf(tf.MomentumOptimizer);
      for (let i = 0; i < 12; i++) {
        expect(back.schedule(i)).toBe(opt.schedule(i));
        expect(back.momentum!(i)).toBe(opt.momentum!(i));
      }
      opt.dispose();
      back.dispose();
    });
  });
  it('a hand-written schedule loads as the constant lr of the moment, with a warning', () => {
    const opt = withSchedule(tf.train.adam(0.1), (i) => 0.1 / (i + 1));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const back = ScheduledOptimizer.fromConfig(ScheduledOptimizer, opt.getConfig()) as ScheduledOptimizer;
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/restored as the constant lr 0.1/));
    warn.mockRestore();
    expect(back.schedule(7)).toBe(0.1);
    opt.dispose();
    back.dispose();
  });
});

describe('setOptimizerLr / getOptimizerLr', () => {
  it('sets SGD (cached scalar), Adam (field), TorchOptimizer (lr) and unwraps .optimizer wrappers', () => {
    const s = tf.train.sgd(0.1);
    setOptimizerLr(s, 0.02);
    expect(getOptimizerLr(s)).toBe(0.02);
    const a = adam({lr: 0.1});
    setOptimizerLr(a, 0.03);
    expect(a.currentLr).toBe(0.03);
    const wrapped = {optimizer: tf.train.adam(0.1), applyGradients: () => undefined} as unknown as tf.Optimizer;
    setOptimizerLr(wrapped, 0.04);
    expect(getOptimizerLr(wrapped)).toBe(0.04);
    expect(() => setOptimizerLr(adam({lr: (i) => i}), 0.1)).toThrow(/cannot set the learning rate of StableTrainAdam: its lr is a schedule/);
    expect(() => setOptimizerLr(s, -1)).toThrow('setOptimizerLr: lr must be a finite number >= 0, got -1');
    s.dispose();
    a.dispose();
  });
});
