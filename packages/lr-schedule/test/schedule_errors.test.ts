// Bad options and bad steps are rejected with a message naming the function, argument and value.
import {
  constantSchedule, cosineDecay, cosineRestarts, cyclic, exponentialDecay, inverseSqrt, linearRamp,
  multiStepDecay, oneCycle, oneCycleMomentum, polynomialDecay, ReduceOnPlateau, resolveSchedule, sequence,
  stepDecay, warmupCosine,
} from '../src';

describe('option validation', () => {
  it.each([
    [() => stepDecay({initial: 0.1, stepSize: 10, gamma: 0}), 'stepDecay: gamma must be a finite number > 0, got 0'],
    [() => stepDecay({initial: 0.1, stepSize: 10, gamma: -0.5}), 'stepDecay: gamma must be a finite number > 0, got -0.5'],
    [() => stepDecay({initial: 0.1, stepSize: 0}), 'stepDecay: stepSize must be an integer >= 1, got 0'],
    [() => exponentialDecay({initial: 0.1, gamma: 0}), 'exponentialDecay: gamma must be a finite number > 0, got 0'],
    [() => exponentialDecay({initial: -1, gamma: 0.9}), 'exponentialDecay: initial must be a finite number >= 0, got -1'],
    [() => multiStepDecay({initial: 0.1, milestones: [30, 20]}), 'multiStepDecay: milestones must be strictly increasing, got [30, 20]'],
    [() => multiStepDecay({initial: 0.1, milestones: [1.5]}), 'multiStepDecay: milestones[0] must be an integer >= 1, got 1.5'],
    [() => cosineDecay({initial: 0.1, decaySteps: -3}), 'cosineDecay: decaySteps must be an integer >= 1, got -3'],
    [() => cosineDecay({initial: NaN, decaySteps: 3}), 'cosineDecay: initial must be a finite number >= 0, got NaN'],
    [() => cosineRestarts({initial: 0.1, period: 10, periodMult: 1.5}), 'cosineRestarts: periodMult must be an integer >= 1, got 1.5'],
    [() => oneCycle({maxValue: 0.1, totalSteps: 100, pctStart: 1}), 'oneCycle: pctStart must be a number in (0, 1), got 1'],
    [() => oneCycle({maxValue: 0.1, totalSteps: 100, anneal: 'exp' as 'cos'}), `oneCycle: anneal must be one of 'cos', 'linear', got "exp"`],
    [() => oneCycleMomentum({maxValue: 0.1, totalSteps: 100, baseMomentum: 0.99}), 'oneCycleMomentum: maxMomentum must be >= baseMomentum (0.99), got 0.95'],
    [() => linearRamp({initial: 0.1, startFactor: 0.1, endFactor: 1, steps: 0}), 'linearRamp: steps must be an integer >= 1, got 0'],
    [() => polynomialDecay({initial: 0.1, decaySteps: 10, power: 0}), 'polynomialDecay: power must be a finite number > 0, got 0'],
    [() => cyclic({baseValue: 0.1, maxValue: 0.01}), 'cyclic: maxValue must be >= baseValue (0.1), got 0.01'],
    [() => cyclic({baseValue: 0.01, maxValue: 0.1, mode: 'exp_range', gamma: 0}), 'cyclic: gamma must be a finite number > 0, got 0'],
    [() => warmupCosine({peak: 0.1, warmupSteps: 200, decaySteps: 100}), 'warmupCosine: warmupSteps must be <= decaySteps (100; decaySteps includes the warm-up), got 200'],
    [() => inverseSqrt({peak: 0.1, warmupSteps: 0}), 'inverseSqrt: warmupSteps must be an integer >= 1, got 0'],
    [() => sequence([constantSchedule(1)], [10]), 'sequence: boundaries must be an array of schedules.length - 1 = 0 steps, got [10]'],
    [() => sequence([constantSchedule(1), constantSchedule(2), constantSchedule(3)], [10, 5]), 'sequence: boundaries must be strictly increasing, got [10, 5]'],
    [() => new ReduceOnPlateau({initial: 0.1, factor: 1}), 'ReduceOnPlateau: factor must be a number in [0, 1), got 1'],
    [() => new ReduceOnPlateau({initial: 0.1, mode: 'up' as 'min'}), `ReduceOnPlateau: mode must be one of 'min', 'max', got "up"`],
    [() => resolveSchedule({type: 'cosin'}), 'resolveSchedule: type must be one of constant, step'],
    [() => resolveSchedule({type: 'cosine', initial: 0.1, decaySteps: 0}), 'cosineDecay: decaySteps must be an integer >= 1, got 0'],
  ])('%#: %s', (f, msg) => {
    expect(f).toThrow(msg);
  });
});

describe('step validation', () => {
  const all = [
    constantSchedule(0.1), stepDecay({initial: 0.1, stepSize: 3}), cosineDecay({initial: 0.1, decaySteps: 10}),
    oneCycle({maxValue: 0.1, totalSteps: 10}), warmupCosine({peak: 1, warmupSteps: 2, decaySteps: 10}),
    sequence([constantSchedule(1), constantSchedule(2)], [3]),
  ];
  it.each(all.map((s, k) => [k, s] as const))('schedule %d rejects negative and non-finite steps', (_k, s) => {
    expect(() => s(-1)).toThrow(/step must be a finite number >= 0, got -1/);
    expect(() => s(NaN)).toThrow(/step must be a finite number >= 0, got NaN/);
    expect(() => s(Infinity)).toThrow(/got Infinity/);
  });
  it('oneCycle throws past totalSteps as PyTorch OneCycleLR does (last_epoch > total_steps)', () => {
    // torch 1.13 lr_scheduler.py OneCycleLR.get_lr: `if step_num > self.total_steps: raise ValueError`
    for (const s of [oneCycle({maxValue: 0.1, totalSteps: 100}), oneCycleMomentum({maxValue: 0.1, totalSteps: 100})]) {
      expect(() => s(100)).not.toThrow();
      expect(() => s(150)).toThrow(/^one\w+: step must be <= totalSteps \(100\) as in PyTorch OneCycleLR, got 150$/);
      expect(() => s(100.5)).toThrow(/got 100.5/);
    }
    // step totalSteps holds the minimum (PyTorch extrapolates there: below zero with 'linear')
    expect(oneCycle({maxValue: 0.1, totalSteps: 100, anneal: 'linear'})(100)).toBeCloseTo(0.1 / 25 / 1e4, 12);
  });
  it('names the schedule in the message', () => {
    expect(() => cosineDecay({initial: 0.1, decaySteps: 10})(-2)).toThrow('cosineDecay: step must be a finite number >= 0, got -2');
  });
});
