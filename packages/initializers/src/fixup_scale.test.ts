import {describeBackends, expectClose} from '@stable-train/testing';
import {fixupScale} from './index';

// Host float64 math (no tensors); run under both backends to keep the project's convention.
describeBackends(['cpu', 'wasm'], () => {
  it('is L^(-1/(2m-2)) (Zhang et al. 2019, section 3)', () => {
    expectClose(fixupScale(16, 2), 0.25, {rtol: 1e-15, atol: 0}); // 16^(-1/2)
    expectClose(fixupScale(8, 3), Math.pow(8, -1 / 4), {rtol: 1e-15, atol: 0}); // bottleneck blocks, m = 3
    expect(fixupScale(1, 2)).toBe(1);
    expect(fixupScale(54, 2)).toBeLessThan(fixupScale(18, 2)); // deeper nets scale down more
  });

  it('rejects m < 2 (the exponent divides by 2m-2) and non-integer counts', () => {
    expect(() => fixupScale(16, 1)).toThrow('fixupScale: layersPerBranch must be an integer >= 2, got 1');
    expect(() => fixupScale(0, 2)).toThrow('fixupScale: numBranches must be an integer >= 1, got 0');
    expect(() => fixupScale(2.5, 2)).toThrow('fixupScale: numBranches must be an integer >= 1, got 2.5');
  });
});
