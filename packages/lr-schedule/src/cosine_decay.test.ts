import {cosineDecay} from './cosine_decay';

describe('cosineDecay', () => {
  it('holds final after decaySteps by default, oscillates like PyTorch with periodic', () => {
    const held = cosineDecay({initial: 0.1, decaySteps: 10, final: 0.01});
    const torch = cosineDecay({initial: 0.1, decaySteps: 10, final: 0.01, periodic: true});
    // final + (initial - final)(1 + cos(pi/2))/2 = 0.01 + 0.045
    expect(held(5)).toBeCloseTo(0.055, 15);
    expect(held(10)).toBeCloseTo(0.01, 15);
    expect(held(15)).toBe(held(10));
    expect(torch(15)).toBeCloseTo(0.055, 15); // cos(1.5 pi) = 0: half way back up
    expect(torch(20)).toBeCloseTo(0.1, 15);
  });
});
