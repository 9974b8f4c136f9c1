import {describeBackends, expectClose, loadGolden} from '@stable-train/testing';
import {calculateGain, Nonlinearity} from './index';

// Host float64 math (no tensors); run under both backends to keep the project's convention.
describeBackends(['cpu', 'wasm'], () => {
  const gains: Record<string, number> = loadGolden('initializers').gains;

  it('matches torch.nn.init.calculate_gain for every entry of initializers.json', () => {
    for (const [key, expected] of Object.entries(gains)) {
      // keys: 'tanh', 'leaky_relu(default negative_slope=0.01)', 'leaky_relu(negative_slope=0.2)', ...
      const m = /^(\w+)(?:\((?:default )?negative_slope=([\d.]+)\))?$/.exec(key);
      expect(m).not.toBeNull();
      const name = m![1] as Nonlinearity;
      const slope = m![2] === undefined || key.includes('default') ? undefined : Number(m![2]);
      expectClose(calculateGain(name, slope), expected, {rtol: 1e-12, atol: 0});
    }
    expect(Object.keys(gains).length).toBe(11);
  });

  it('leaky_relu defaults to slope 0.01, relu ignores param, identity/transposed convs are 1', () => {
    expect(calculateGain('leaky_relu')).toBe(Math.sqrt(2 / (1 + 0.01 * 0.01)));
    expect(calculateGain('leaky_relu', 0)).toBe(Math.SQRT2); // a = 0: the kaiming_* default gain
    expect(calculateGain('relu', 0.3)).toBe(Math.SQRT2);
    expect(calculateGain('identity')).toBe(1);
    expect(calculateGain('conv_transpose3d')).toBe(1);
  });

  it('names the bad nonlinearity and the bad slope', () => {
    expect(() => calculateGain('gelu' as Nonlinearity)).toThrow(/calculateGain: nonlinearity must be one of linear, .*selu, got "gelu"/);
    expect(() => calculateGain('leaky_relu', NaN)).toThrow('calculateGain: param must be a finite number, got NaN');
  });
});
