import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {heNormal, INITIALIZER_NAMES, resolveInitializer} from './index';

describeBackends(['cpu', 'wasm'], () => {
  it('builds the same initializer from snake_case, camelCase and PyTorch names', () => {
    const opts = {mode: 'fan_out' as const, nonlinearity: 'relu' as const};
    const ref = heNormal(opts)([3, 3, 8, 16], {seed: 5});
    for (const name of ['he_normal', 'heNormal', 'kaiming_normal', 'kaiming_normal_']) {
      const init = resolveInitializer(name, opts);
      expect(init.initializerName).toBe('he_normal');
      const w = init([3, 3, 8, 16], {seed: 5});
      expectClose(w, ref, {rtol: 0, atol: 0});
      w.dispose();
    }
    expect(resolveInitializer('glorot_uniform').stats([10, 30]).high).toBeCloseTo(Math.sqrt(6 / 40), 15);
    expect(resolveInitializer('constant', {value: 3}).stats([1]).mean).toBe(3);
    ref.dispose();
  });

  it('every listed name resolves and draws without leaking', async () => {
    const needs: Record<string, object> = {constant: {value: 0.5}, sparse: {sparsity: 0.5}};
    for (const name of INITIALIZER_NAMES) {
      const init = resolveInitializer(name, needs[name]);
      const shape = name === 'delta_orthogonal' || name === 'dirac' ? [3, 3, 4, 4] : [6, 6];
      await expectNoLeak(() => init(shape, {seed: 1}));
    }
    expect(INITIALIZER_NAMES.length).toBeGreaterThanOrEqual(20);
  });

  it('names the unknown initializer and checks options', () => {
    expect(() => resolveInitializer('he_normale')).toThrow(/resolveInitializer: name must be one of zeros, ones, .*got "he_normale"/);
    expect(() => resolveInitializer('constant')).toThrow("resolveInitializer: options must be {value} for 'constant', got undefined");
    expect(() => resolveInitializer('sparse', {std: 1})).toThrow("resolveInitializer: options must be {sparsity, std?} for 'sparse', got an object {std}");
    expect(() => resolveInitializer('he_normal', {a: -1})).toThrow('heNormal: a must be a finite number >= 0, got -1');
    expect(() => resolveInitializer('orthogonal', 'x' as never)).toThrow('resolveInitializer: options must be an object, got "x"');
  });
});

describe('resolveInitializer name lookup (issue 20 item 11)', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'])('%s is not an initializer name, not an Object.prototype member', (name) => {
    expect(() => resolveInitializer(name)).toThrow(/resolveInitializer: name must be one of /);
  });
});
