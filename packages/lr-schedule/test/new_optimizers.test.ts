// Behaviour of nadam, radam, adamax, adadelta, lion, lamb, lars and adafactor beyond the goldens:
// no leaks per step, save/restore mid-run continues bit-identically, convergence on a small
// least-squares problem, lr changes, serialization, and argument errors.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak, goldenTensor, loadGolden} from '@stable-train/testing';
import {
  adadelta, adafactor, adamax, lamb, lars, lion, nadam, radam, TorchAdafactor, TorchNAdam, type TorchOptimizer,
} from '../src';

const golden = loadGolden('optimizers_v2');
const PARAMS = ['W', 'b', 'K'] as const;

/** Each new optimizer, with settings that exercise every state slot. */
const MAKERS: [string, () => TorchOptimizer][] = [
  ['nadam', () => nadam({lr: 0.01, weightDecay: 0.01})],
  ['nadam torch1.13', () => nadam({lr: 0.01, formula: 'torch1.13'})],
  ['radam', () => radam({lr: 0.01, weightDecay: 0.01})],
  ['adamax', () => adamax({lr: 0.02, weightDecay: 0.01})],
  ['adadelta', () => adadelta({weightDecay: 0.01})],
  ['lion', () => lion({lr: 0.003})],
  ['lamb', () => lamb({lr: 0.01, weightDecay: 0.01})],
  ['lars', () => lars({lr: 0.5, weightDecay: 1e-3, nesterov: true, trustCoefficient: 0.02})],
  ['adafactor', () => adafactor({lr: 0.01})],
  ['adafactor factored + momentum + wd', () => adafactor({lr: 0.01, minDimSizeToFactor: 2, momentum: 0.9, weightDecayRate: 1e-3})],
];

let uid = 0;
function params(tag: string): Record<string, tf.Variable> {
  const n = `${tag}_${uid++}`;
  return tf.tidy(() => Object.fromEntries(PARAMS.map((p) => [p, tf.variable(goldenTensor(golden.initial_params[p]), true, `${n}/${p}`)])));
}
function feed(opt: TorchOptimizer, vars: Record<string, tf.Variable>, t: number): void {
  const grads = Object.fromEntries(PARAMS.map((p) => [vars[p].name, goldenTensor(golden.grads[t % 8][p])]));
  opt.applyGradients(grads);
  tf.dispose(Object.values(grads));
}

describeBackends(['cpu', 'wasm'], (backend) => {
  it.each(MAKERS)('%s: no tensor leaks per step; dispose() frees the state', async (name, make) => {
    const before = tf.memory().numTensors;
    const vars = params(`leak_${backend}`);
    const opt = make();
    feed(opt, vars, 0); // creates the state
    for (let t = 1; t < 12; t++) await expectNoLeak(() => feed(opt, vars, t));
    opt.dispose();
    tf.dispose(Object.values(vars));
    expect(tf.memory().numTensors).toBe(before);
    expect(name).toBeTruthy();
  });

  it.each(MAKERS)('%s: getWeights after 3 steps, setWeights into a new one, the next 5 steps are bit-identical', async (_n, make) => {
    const a = params(`ckA_${backend}`);
    const b = params(`ckB_${backend}`);
    const optA = make();
    for (let t = 0; t < 3; t++) feed(optA, a, t);
    const saved = await optA.getWeights();
    const prefixA = a.W.name.split('/')[0];
    const prefixB = b.W.name.split('/')[0];
    const optB = make();
    await optB.setWeights(saved.map((w) => ({name: w.name.replace(prefixA, prefixB), tensor: w.tensor})).reverse());
    tf.dispose(saved.map((w) => w.tensor));
    for (const p of PARAMS) b[p].assign(a[p]);
    expect(optB.step).toBe(3);
    for (let t = 3; t < 8; t++) {
      feed(optA, a, t);
      feed(optB, b, t);
    }
    for (const p of PARAMS) expect(Array.from(b[p].dataSync())).toEqual(Array.from(a[p].dataSync()));
    optA.dispose();
    optB.dispose();
    tf.dispose([...Object.values(a), ...Object.values(b)]);
  });

  it.each([
    ['nadam', () => nadam({lr: 0.05})], ['radam', () => radam({lr: 0.05})], ['adamax', () => adamax({lr: 0.05})],
    ['adadelta', () => adadelta({lr: 1, eps: 1e-2})], ['lion', () => lion({lr: 0.01})], ['lamb', () => lamb({lr: 0.05})],
    ['lars', () => lars({lr: 20, trustCoefficient: 0.01})], ['adafactor', () => adafactor({lr: 0.05, minDimSizeToFactor: 2})],
  ] as const)('%s: decreases a least-squares loss (convergence smoke test)', (_n, make) => {
    // fixed data: y = x·w* with w* = [1, -2, 0.5]; model y = x·w + c from w = 0.3, c = 0.3
    const x = tf.tensor2d([[1, 0, 2], [0, 1, -1], [2, 1, 0], [-1, 2, 1], [0.5, -0.5, 1], [1, 1, 1]]);
    const y = tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]]));
    const w = tf.variable(tf.fill([3, 1], 0.3), true, `conv_${backend}_${uid++}`);
    const c = tf.variable(tf.fill([1], 0.3), true, `conv_${backend}_${uid++}`);
    const opt = make();
    const loss = () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), c), y))) as tf.Scalar;
    const l0 = tf.tidy(() => loss().dataSync()[0]);
    for (let i = 0; i < 60; i++) tf.dispose(opt.minimize(loss, true) ?? []);
    const l1 = tf.tidy(() => loss().dataSync()[0]);
    expect(l1).toBeLessThan(0.5 * l0);
    opt.dispose();
    tf.dispose([x, y, w, c]);
  });
});

describe('lr changes and serialization', () => {
  it('lr may be a schedule or be reassigned between steps (setLearningRate between steps)', () => {
    const x = tf.variable(tf.tensor1d([1, -1]), true, 'lrchg_x');
    const opt = lion({lr: (step) => (step === 0 ? 0.1 : 0.01), weightDecay: 0});
    opt.applyGradients({lrchg_x: tf.tensor1d([1, -1])}); // x -= 0.1·sign(0.1·g)
    opt.setLearningRate(0.5);
    opt.applyGradients({lrchg_x: tf.tensor1d([1, -1])}); // x -= 0.5·sign(...)
    expect(Array.from(x.dataSync()).map((v) => +v.toFixed(6))).toEqual([0.4, -0.4]);
    x.dispose();
    opt.dispose();
  });

  it('registers every new optimizer and rebuilds it from getConfig', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    const makers = [nadam({formula: 'torch1.13', momentumDecay: 0.3}), radam({beta2: 0.99}), adamax({eps: 0.1}), adadelta({rho: 0.95}),
      lion({lr: 1e-4}), lamb({lr: 1e-3, epsRoot: 1e-8}), lars({lr: 1, nesterov: true}),
      adafactor({clippingThreshold: null, momentum: 0.9}), adafactor({lr: 0.01})];
    for (const o of makers) {
      const entry = map[o.getClassName()];
      expect(entry).toBeDefined();
      const [cls, fromConfig] = entry as unknown as [tf.serialization.SerializableConstructor<TorchOptimizer>, typeof TorchNAdam.fromConfig];
      const copy = fromConfig(cls, o.getConfig()) as TorchOptimizer;
      expect(copy.getConfig()).toEqual(o.getConfig());
      expect(copy.constructor).toBe(o.constructor);
      copy.dispose();
      o.dispose();
    }
    expect(TorchAdafactor.className).toBe('StableTrainAdafactor');
    expect(adafactor().getConfig().lr).toBeNull();
    expect(nadam().formula).toBe('torch2');
    expect(lion({lr: 1}).weightDecay).toBe(1e-3); // Optax default
  });
});

describe('argument errors (thrown before any tensor is made)', () => {
  it.each([
    [() => nadam({formula: 'torch2.1' as never}), "nadam: formula must be one of 'torch2', 'torch1.13', got \"torch2.1\""],
    [() => nadam({beta1: 1}), 'nadam: beta1 must be a number in [0, 1), got 1'],
    [() => nadam({momentumDecay: -1}), 'nadam: momentumDecay must be a finite number >= 0, got -1'],
    [() => radam({eps: 0}), 'radam: eps must be a finite number > 0, got 0'],
    [() => radam({betas: [0.9, 0.99]} as never), "radam: unknown option 'betas'; expected one of lr, beta1, beta2, eps, weightDecay"],
    [() => adamax({beta1: 1.5}), 'adamax: beta1 must be a number in [0, 1), got 1.5'],
    [() => adamax({lr: -1}), 'adamax: lr must be a finite number >= 0 or a schedule function, got -1'],
    [() => adadelta({rho: 1.1}), 'adadelta: rho must be a number in [0, 1], got 1.1'],
    [() => lion({lr: 0.1, weightDecay: -0.1}), 'lion: weightDecay must be a finite number >= 0, got -0.1'],
    [() => lion({} as never), 'lion: lr must be a finite number >= 0 or a schedule function, got undefined'],
    [() => lamb({lr: 0.1, beta2: 1}), 'lamb: beta2 must be a number in [0, 1), got 1'],
    [() => lars({lr: 0.1, nesterov: 'yes' as never}), 'lars: nesterov must be true or false, got "yes"'],
    [() => lars({lr: 0.1, trustCoefficient: NaN}), 'lars: trustCoefficient must be a finite number >= 0, got NaN'],
    [() => adafactor({minDimSizeToFactor: 1.5}), 'adafactor: minDimSizeToFactor must be an integer >= 1, got 1.5'],
    [() => adafactor({clippingThreshold: 0}), 'adafactor: clippingThreshold must be a finite number > 0, got 0'],
    [() => adafactor({momentum: 2}), 'adafactor: momentum must be a number in [0, 1], got 2'],
    [() => adafactor({decay_rate: 0.8} as never), "adafactor: unknown option 'decay_rate'"],
  ])('%#: %s', (f, msg) => {
    const before = tf.memory().numTensors;
    expect(f).toThrow(msg);
    expect(tf.memory().numTensors).toBe(before);
  });
});
