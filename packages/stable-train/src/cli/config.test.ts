import {parseRunConfig} from './config';
import {demoConfigs} from './demo';

const ok = {model: {type: 'mlp', hidden: [8]}, data: {type: 'two_spirals', samples: 100}, optimizer: {type: 'adamw', lr: 1e-3}, train: {batchSize: 10, epochs: 1}};

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
});
