import {inverseSqrt} from './inverse_sqrt';

describe('inverseSqrt', () => {
  it('matches the Noam formula d^-0.5 min(s^-0.5, s W^-1.5) with peak = (d W)^-0.5', () => {
    const d = 512;
    const W = 4000;
    const s = inverseSqrt({peak: (d * W) ** -0.5, warmupSteps: W});
    for (const i of [0, 1, 100, 3999, 4000, 10000, 99999]) {
      const n = i + 1; // Vaswani et al. count steps from 1
      const noam = d ** -0.5 * Math.min(n ** -0.5, n * W ** -1.5);
      expect(Math.abs(s(i) - noam)).toBeLessThan(1e-15);
    }
    expect(s(W - 1)).toBeCloseTo((d * W) ** -0.5, 15);
  });
});
