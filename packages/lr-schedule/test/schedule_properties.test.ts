// fast-check: every schedule is finite and >= 0 for every step in 0..1e6, for random valid options.
import fc from 'fast-check';
import {
  constantSchedule, cosineDecay, cosineRestarts, cyclic, cyclicMomentum, exponentialDecay, inverseSqrt,
  linearRamp, multiStepDecay, oneCycle, oneCycleMomentum, polynomialDecay, type Schedule, sequence, stepDecay,
  warmupCosine,
} from '../src';

const val = fc.double({min: 0, max: 10, noNaN: true});
const pos = fc.double({min: 1e-6, max: 10, noNaN: true});
const len = fc.integer({min: 1, max: 2_000_000});
const step = fc.integer({min: 0, max: 1_000_000});
// decay factors: with gamma > 1 stepDecay/exponentialDecay grow without bound (allowed, e.g. for an
// lr range test, but then not finite at 1e6 steps), so the property covers gamma in (0, 1]
const gamma = fc.double({min: 1e-6, max: 1, noNaN: true});
const frac = fc.double({min: 0.05, max: 0.45, noNaN: true});

// oneCycle throws past totalSteps (as PyTorch's OneCycleLR): evaluate it within its cycle
const clampTo = (total: number, s: Schedule): Schedule => (i: number) => s(Math.min(i, total));

const makers: [string, fc.Arbitrary<Schedule>][] = [
  ['constantSchedule', val.map(constantSchedule)],
  ['stepDecay', fc.record({initial: val, stepSize: len, gamma}).map(stepDecay)],
  ['multiStepDecay', fc.record({initial: val, gamma, milestones: fc.uniqueArray(len, {maxLength: 5}).map((m) => m.sort((a, b) => a - b))}).map(multiStepDecay)],
  ['exponentialDecay', fc.record({initial: val, gamma, decaySteps: len, staircase: fc.boolean()}).map(exponentialDecay)],
  ['cosineDecay', fc.record({initial: val, decaySteps: len, final: val, periodic: fc.boolean()}).map(cosineDecay)],
  ['cosineRestarts', fc.record({initial: val, period: len, periodMult: fc.integer({min: 1, max: 4}), final: val}).map(cosineRestarts)],
  ['oneCycle', fc.record({maxValue: pos, totalSteps: fc.integer({min: 100, max: 2_000_000}), pctStart: frac, anneal: fc.constantFrom('cos' as const, 'linear' as const), threePhase: fc.boolean()}).map((o) => clampTo(o.totalSteps, oneCycle(o)))],
  ['oneCycleMomentum', fc.record({maxValue: pos, totalSteps: fc.integer({min: 100, max: 2_000_000}), pctStart: frac, threePhase: fc.boolean()}).map((o) => clampTo(o.totalSteps, oneCycleMomentum(o)))],
  ['linearRamp', fc.record({initial: val, startFactor: val, endFactor: val, steps: len}).map(linearRamp)],
  ['polynomialDecay', fc.record({initial: val, decaySteps: len, power: pos, final: val}).map(polynomialDecay)],
  ['cyclic', fc.record({baseValue: val, stepSizeUp: len, stepSizeDown: len, mode: fc.constantFrom('triangular' as const, 'triangular2' as const, 'exp_range' as const), gamma: fc.double({min: 0.5, max: 1, noNaN: true})}).map((o) => cyclic({...o, maxValue: o.baseValue + 1}))],
  ['cyclicMomentum', fc.record({stepSizeUp: len, mode: fc.constantFrom('triangular' as const, 'triangular2' as const, 'exp_range' as const), gamma: fc.double({min: 0.5, max: 1, noNaN: true})}).map(cyclicMomentum)],
  ['sequence', fc.record({a: val, b: val, n: len}).map(({a, b, n}) => sequence([constantSchedule(a), cosineDecay({initial: b, decaySteps: n})], [n]))],
  ['warmupCosine', fc.record({initial: val, peak: val, final: val, w: fc.integer({min: 0, max: 1000}), d: len}).map(({initial, peak, final, w, d}) => warmupCosine({initial, peak, final, warmupSteps: w, decaySteps: w + d}))],
  ['inverseSqrt', fc.record({peak: val, warmupSteps: len}).map(inverseSqrt)],
];

describe('every schedule is finite and >= 0 for steps 0..1e6', () => {
  it.each(makers)('%s', (_name, arb) => {
    fc.assert(
      fc.property(arb, fc.array(step, {minLength: 1, maxLength: 20}), (s, steps) => {
        for (const i of [0, 1_000_000, ...steps]) {
          const v = s(i);
          if (!Number.isFinite(v) || v < 0) return false;
        }
        return true;
      }),
      {numRuns: 200},
    );
  });
});
