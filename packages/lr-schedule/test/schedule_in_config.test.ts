import * as tf from '@tensorflow/tfjs-core';
import {adam, adafactor, cosineDecay, lion, sgd, warmupCosine} from '../src';
import type {TorchOptimizer} from '../src/torch_optimizer';

// An optimizer whose lr is a schedule built by this package saves the schedule (as its JSON spec)
// in getConfig, so tf.serialization / tf.loadLayersModel rebuilds the same schedule; before, the
// config held only the lr of the moment and a reloaded optimizer ran on at that constant lr.
describe('TorchOptimizer: lr schedules survive getConfig -> fromConfig', () => {
  const cases: [string, () => TorchOptimizer][] = [
    ['adam + cosineDecay', () => adam({lr: cosineDecay({initial: 0.1, decaySteps: 40, final: 0.001})})],
    ['sgd + warmupCosine', () => sgd({lr: warmupCosine({peak: 0.5, warmupSteps: 5, decaySteps: 30}), momentum: 0.9})],
    ['lion + cosineDecay', () => lion({lr: cosineDecay({initial: 1e-3, decaySteps: 20})})],
    ['adafactor + cosineDecay', () => adafactor({lr: cosineDecay({initial: 1e-2, decaySteps: 20})})],
  ];
  for (const [what, make] of cases) {
    it(`${what}: the rebuilt optimizer's lr equals the original schedule at every step`, () => {
      const opt = make();
      const cfg = opt.getConfig();
      expect(typeof cfg.lr).toBe('string');
      const cls = opt.constructor as unknown as tf.serialization.SerializableConstructor<TorchOptimizer> & {fromConfig: typeof TorchOptimizer.fromConfig};
      const back = cls.fromConfig(cls, JSON.parse(JSON.stringify(cfg))) as TorchOptimizer;
      const a = opt.lr as (s: number) => number;
      const b = back.lr as (s: number) => number;
      expect(typeof b).toBe('function');
      for (let s = 0; s < 50; s++) expect(b(s)).toBe(a(s));
      opt.dispose();
      back.dispose();
    });
  }

  it('a number lr and a hand-written schedule function are saved as the number in use', () => {
    expect(adam({lr: 0.01}).getConfig().lr).toBe(0.01);
    expect(adam({lr: (s) => 0.5 / (s + 1)}).getConfig().lr).toBe(0.5);
  });

  it('a malformed saved lr is a clear error', () => {
    expect(() => adam({lr: 'not json' as never})).toThrow(/adam: lr must be a finite number >= 0, a schedule function or a schedule's JSON spec, got "not json"/);
  });
});
