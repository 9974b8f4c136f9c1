import {parseRunConfig} from './config';
import {demoConfigs} from './demo';

const ok = {model: {type: 'mlp', hidden: [8]}, data: {type: 'twoSpirals', samples: 100}, optimizer: {type: 'adamw', lr: 1e-3}, train: {batchSize: 10, epochs: 1}};

describe('parseRunConfig', () => {
  it('accepts a valid config and the demo configs', () => {
    expect(parseRunConfig(ok).model.type).toBe('mlp');
    for (const c of demoConfigs()) expect(parseRunConfig(c)).toEqual(c);
  });

  it('names every bad field and rejects unknown keys', () => {
    const bad = {...ok, model: {type: 'mlp', hidden: [0]}, data: {type: 'mnist', foo: 1}, optimizer: {type: 'adamw', lr: -1},
      train: {batchSize: 3, epochs: 1, steps: 2}, extra: true};
    let msg = '';
    try {
      parseRunConfig(bad, 'run.json');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^run.json is invalid/);
    expect(msg).toMatch(/model\.hidden\.0: Too small/);
    expect(msg).toMatch(/data: Unrecognized key: "foo"/);
    expect(msg).toMatch(/optimizer\.lr: Too small/);
    expect(msg).toMatch(/train: give exactly one of epochs or steps/);
    expect(msg).toMatch(/\(root\): Unrecognized key: "extra"/);
  });

  it('rejects an unknown model type naming the field', () => {
    expect(() => parseRunConfig({...ok, model: {type: 'transformer'}})).toThrow(/model\.type: Invalid discriminator value/);
  });

  it('accepts AutoClip (mode auto) and plateau, and names their bad fields', () => {
    const c = parseRunConfig({...ok, clip: {mode: 'auto', percentile: 10, historySize: 100}, plateau: {patience: 2, factor: 0.5, metric: 'testLoss'}});
    expect(c.clip).toEqual({mode: 'auto', percentile: 10, historySize: 100});
    expect(c.plateau).toEqual({patience: 2, factor: 0.5, metric: 'testLoss'});
    // other clip modes still pass through to createClipper
    expect(parseRunConfig({...ok, clip: {mode: 'globalNorm', maxNorm: 1}}).clip).toEqual({mode: 'globalNorm', maxNorm: 1});
    let msg = '';
    try {
      parseRunConfig({...ok, clip: {mode: 'auto', percentile: 150, historySize: 0, maxNorm: 1},
        plateau: {factor: 1.5, patience: -1, metric: 'accuracy', minlr: 0}, schedule: {type: 'constant', value: 0.1}}, 'run.json');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/clip\.percentile: Too big/);
    expect(msg).toMatch(/clip\.historySize: Too small/);
    expect(msg).toMatch(/clip: Unrecognized key: "maxNorm"/);
    expect(msg).toMatch(/plateau\.factor: Too big/);
    expect(msg).toMatch(/plateau\.patience: Too small/);
    expect(msg).toMatch(/plateau\.metric: Invalid option/);
    expect(msg).toMatch(/plateau: Unrecognized key: "minlr"/);
    expect(() => parseRunConfig({...ok, clip: {mode: 'auto'}, plateau: {}, schedule: {type: 'constant', value: 0.1}}))
      .toThrow(/plateau: cannot be combined with schedule/);
    expect(() => parseRunConfig({...ok, clip: {mode: 'auto-clip'}})).toThrow(/clip\.mode: Invalid/);
  });
});

describe('parseRunConfig: old spellings', () => {
  it('accepts the snake_case names and autoclip, each with a deprecation warning, and returns the camelCase ones', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const c = parseRunConfig({model: {type: 'residual_mlp', width: 8, depth: 2}, data: {type: 'two_spirals', samples: 100},
        optimizer: {type: 'adamw', lr: 1e-3}, clip: {mode: 'autoclip', percentile: 10},
        schedule: {type: 'warmup_cosine', peak: 1e-3, warmupSteps: 2, decaySteps: 10}, train: {batchSize: 10, epochs: 1}}, 'run.json');
      expect(c.model.type).toBe('residualMlp');
      expect(c.data.type).toBe('twoSpirals');
      expect(c.clip).toEqual({mode: 'auto', percentile: 10});
      expect(c.schedule?.type).toBe('warmupCosine');
      expect(warn.mock.calls.map((a) => a[0])).toEqual([
        "stable-train: run.json: model.type 'residual_mlp' is deprecated, use 'residualMlp'",
        "stable-train: run.json: data.type 'two_spirals' is deprecated, use 'twoSpirals'",
        "stable-train: run.json: clip.mode 'autoclip' is deprecated, use 'auto'",
        "stable-train: run.json: schedule.type 'warmup_cosine' is deprecated, use 'warmupCosine'",
      ]);
      expect(parseRunConfig({...ok, clip: {mode: 'global_norm', maxNorm: 1}, plateau: {metric: 'test_loss'}}).plateau).toEqual({metric: 'testLoss'});
    } finally {
      warn.mockRestore();
    }
  });
});

describe('parseRunConfig on hostile input (issue 20 item 11)', () => {
  const msgOf = (c: unknown): string => {
    try {
      parseRunConfig(c);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  it('rejects unknown keys inside schedule (at every depth) and inside an object-form init', () => {
    expect(msgOf({...ok, schedule: {type: 'cosine', initial: 0.1, decaySteps: 10, bogus: 1}})).toMatch(/schedule/);
    expect(msgOf({...ok, schedule: {type: 'sequence', boundaries: [5], schedules: [{type: 'constant', value: 1}, {type: 'cosine', initial: 1, decaySteps: 5, typo: 2}]}})).toMatch(/schedule/);
    expect(parseRunConfig({...ok, schedule: {type: 'sequence', boundaries: [5], schedules: [{type: 'constant', value: 1}, {type: 'cosine', initial: 1, decaySteps: 5}]}}).schedule).toBeDefined();
    expect(msgOf({...ok, model: {type: 'mlp', hidden: [8], init: {name: 'normal', std: 1, bogus: 2}}})).toMatch(/model\.init.*|Unrecognized key/);
    expect(msgOf({...ok, clip: {mode: 'global_norm', maxNorm: 1, bogus: 1}})).toMatch(/clip: createClipper: unknown option 'bogus'/);
  });
  it('has upper bounds (a config cannot run for ever)', () => {
    expect(msgOf({...ok, data: {type: 'two_spirals', samples: 2e9}})).toMatch(/data\.samples: Too big/);
    expect(msgOf({...ok, train: {batchSize: 10, steps: 1e12}})).toMatch(/train\.steps: Too big/);
    expect(msgOf({...ok, model: {type: 'mlp', hidden: [1e9]}})).toMatch(/model\.hidden\.0: Too big/);
  });
  it('names never resolve through the prototype chain ("constructor", "__proto__", "toString")', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        expect(msgOf({...ok, model: {type: 'mlp', hidden: [8], init: name}})).toMatch(/model\.init/);
        expect(msgOf({...ok, model: {type: name, hidden: [8]}})).toMatch(/model/);
        expect(msgOf({...ok, data: {type: name, samples: 100}})).toMatch(/data/);
        expect(msgOf({...ok, clip: {mode: name, maxNorm: 1}})).toMatch(/clip/);
        expect(msgOf({...ok, optimizer: {type: name, lr: 0.1}})).toMatch(/optimizer/);
        expect(msgOf({...ok, schedule: {type: name}})).toMatch(/schedule/);
      }
      // no deprecation warning names a prototype member as a spelling
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
  it('run names are file-name safe: no path separators, no markup', () => {
    for (const name of ['../../etc/x', 'a/b', '</script><script>alert(1)</script>', '.hidden', '']) expect(msgOf({...ok, name})).toMatch(/name: must be 1-64 letters/);
    expect(parseRunConfig({...ok, name: 'run-1.b_2'}).name).toBe('run-1.b_2');
  });
});
