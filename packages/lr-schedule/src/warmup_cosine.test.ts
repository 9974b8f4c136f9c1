import {warmupCosine} from './warmup_cosine';

describe('warmupCosine', () => {
  // Optax warmup_cosine_decay_schedule(0.0, 1.0, 10, 110, 0.1): linear 0 -> 1 over 10 steps,
  // then 0.1 + 0.9 (1 + cos(pi (i - 10)/100))/2, held at 0.1 from step 110.
  const s = warmupCosine({initial: 0, peak: 1, warmupSteps: 10, decaySteps: 110, final: 0.1});
  it('ramps linearly, peaks at warmupSteps, decays over decaySteps - warmupSteps', () => {
    expect(s(0)).toBe(0);
    expect(s(5)).toBeCloseTo(0.5, 15);
    expect(s(10)).toBeCloseTo(1, 15);
    expect(s(60)).toBeCloseTo(0.55, 15);
    expect(s(110)).toBeCloseTo(0.1, 15);
    expect(s(1e6)).toBeCloseTo(0.1, 15);
  });
  it('allows no warm-up and an empty decay', () => {
    expect(warmupCosine({peak: 1, warmupSteps: 0, decaySteps: 10})(0)).toBe(1);
    const flat = warmupCosine({peak: 1, warmupSteps: 10, decaySteps: 10, final: 0.2});
    expect([flat(9), flat(10)]).toEqual([0.9, 0.2]);
  });
});
