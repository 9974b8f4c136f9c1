// Behaviour of the PyTorch-exact optimizers beyond the goldens: minimize, tfjs-layers fit,
// checkpoints by name, schedules as lr, options the goldens do not cover, leaks, errors.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {describeBackends, expectClose, expectNoLeak, goldenTensor, loadGolden, useBackend} from '@stable-train/testing';
import {adagrad, adam, adamw, rmsprop, sgd, stepDecay, TorchAdam, type TorchOptimizer} from '../src';

const golden = loadGolden('optimizers');
const GRADS = golden.optimizers[0].steps.map((s: {grads: {W: never; b: never}}) => s.grads); // 5 raw gradients

let uid = 0;
function params(tag: string): {W: tf.Variable; b: tf.Variable} {
  const n = `${tag}_${uid++}`;
  return tf.tidy(() => ({
    W: tf.variable(goldenTensor(golden.initial_params.W), true, `${n}/W`),
    b: tf.variable(goldenTensor(golden.initial_params.b), true, `${n}/b`),
  }));
}
function feed(opt: TorchOptimizer, p: {W: tf.Variable; b: tf.Variable}, t: number, reversed = false): void {
  const gW = goldenTensor(GRADS[t % 5].W);
  const gb = goldenTensor(GRADS[t % 5].b);
  const list = [{name: p.W.name, tensor: gW}, {name: p.b.name, tensor: gb}];
  opt.applyGradients(reversed ? list.reverse() : list);
  tf.dispose([gW, gb]);
}

/** float64 reference of PyTorch 1.13's rules (goldens README §6) for one flat parameter. */
function torchRef(kind: string, o: Record<string, number | boolean>, p0: number[], grads: number[][], lrs: number[]): number[] {
  const p = p0.slice();
  const z = () => p.map(() => 0);
  let m = z(), v = z(), vmax = z(), buf = z(), ga = z(), sum = p.map(() => (o.init as number) ?? 0);
  grads.forEach((g0, k) => {
    const t = k + 1, lr = lrs[k], wd = (o.wd as number) ?? 0;
    const g = g0.map((gi, i) => gi + (kind === 'adamw' ? 0 : wd * p[i]));
    if (kind === 'adamw') p.forEach((_, i) => (p[i] *= 1 - lr * wd));
    if (kind === 'adam' || kind === 'adamw') {
      const b1 = 0.9, b2 = 0.999, eps = o.eps as number;
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] ** 2);
      vmax = vmax.map((x, i) => Math.max(x, v[i]));
      const vv = o.amsgrad ? vmax : v;
      p.forEach((_, i) => (p[i] -= (lr / (1 - b1 ** t)) * m[i] / (Math.sqrt(vv[i]) / Math.sqrt(1 - b2 ** t) + eps)));
    } else if (kind === 'adagrad') {
      sum = sum.map((s, i) => s + g[i] ** 2);
      const clr = lr / (1 + (t - 1) * (o.lrDecay as number));
      p.forEach((_, i) => (p[i] -= (clr * g[i]) / (Math.sqrt(sum[i]) + (o.eps as number))));
    } else if (kind === 'rmsprop') {
      const a = o.alpha as number, mu = o.momentum as number;
      v = v.map((vi, i) => a * vi + (1 - a) * g[i] ** 2);
      ga = ga.map((x, i) => a * x + (1 - a) * g[i]);
      const den = v.map((vi, i) => Math.sqrt(o.centered ? vi - ga[i] ** 2 : vi) + (o.eps as number));
      buf = buf.map((b, i) => mu * b + g[i] / den[i]);
      p.forEach((_, i) => (p[i] -= lr * buf[i]));
    }
  });
  return p;
}

describeBackends(['cpu', 'wasm'], (backend) => {
  const lrs = [0.05, 0.05, 0.025, 0.025, 0.0125];
  const sched = stepDecay({initial: 0.05, stepSize: 2, gamma: 0.5}); // gives lrs above
  it.each([
    ['adam amsgrad + L2', 'adam', {eps: 1e-3, amsgrad: true, wd: 0.1}, () => adam({lr: sched, eps: 1e-3, amsgrad: true, weightDecay: 0.1})],
    ['adamw amsgrad', 'adamw', {eps: 1e-8, amsgrad: true, wd: 0.2}, () => adamw({lr: sched, amsgrad: true, weightDecay: 0.2})],
    ['adagrad lrDecay + init + L2', 'adagrad', {eps: 0.01, lrDecay: 0.3, init: 0.2, wd: 0.05}, () => adagrad({lr: sched, eps: 0.01, lrDecay: 0.3, initialAccumulatorValue: 0.2, weightDecay: 0.05})],
    ['rmsprop centered + momentum + L2', 'rmsprop', {alpha: 0.9, eps: 0.01, momentum: 0.8, centered: true, wd: 0.1}, () => rmsprop({lr: sched, alpha: 0.9, eps: 0.01, momentum: 0.8, centered: true, weightDecay: 0.1})],
  ] as const)('%s with a schedule matches a float64 PyTorch-rule reference', (_n, kind, o, make) => {
    const p = params(`ref_${backend}`);
    const opt = make();
    for (let t = 0; t < 5; t++) {
      expect(opt.currentLr).toBeCloseTo(lrs[t], 15);
      feed(opt, p, t);
    }
    const init = golden.initial_params;
    expectClose(p.W, torchRef(kind, o, init.W.data, GRADS.map((g: {W: {data: number[]}}) => g.W.data), lrs), {rtol: 1e-5, atol: 1e-6});
    expectClose(p.b, torchRef(kind, o, init.b.data, GRADS.map((g: {b: {data: number[]}}) => g.b.data), lrs), {rtol: 1e-5, atol: 1e-6});
    opt.dispose();
    tf.dispose([p.W, p.b]);
  });

  it('restores a checkpoint by variable name when the variable order changed', async () => {
    const a = params(`ckA_${backend}`);
    const b = params(`ckB_${backend}`);
    const optA = rmsprop({lr: 0.01, momentum: 0.9, centered: true});
    for (let t = 0; t < 2; t++) feed(optA, a, t);
    const saved = await optA.getWeights();
    // the same state under b's names, handed over in reverse order
    const renamed = saved.map((w) => ({name: w.name.replace(a.W.name.split('/')[0], b.W.name.split('/')[0]), tensor: w.tensor})).reverse();
    b.W.assign(a.W);
    b.b.assign(a.b);
    const optB = rmsprop({lr: 0.01, momentum: 0.9, centered: true});
    await optB.setWeights(renamed);
    expect(optB.step).toBe(2);
    for (let t = 2; t < 5; t++) {
      feed(optA, a, t);
      feed(optB, b, t, true); // gradients also arrive in the other order
    }
    expectClose(b.W, a.W.dataSync(), {rtol: 0, atol: 0});
    expectClose(b.b, a.b.dataSync(), {rtol: 0, atol: 0});
    tf.dispose(saved.map((w) => w.tensor));
    optA.dispose();
    optB.dispose();
    tf.dispose([a.W, a.b, b.W, b.b]);
  });

  it('leaks nothing over 100 steps, and dispose() frees the state', async () => {
    const before = tf.memory().numTensors;
    const p = params(`leak_${backend}`);
    const opts = [sgd({lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3}), adam({lr: sched, amsgrad: true}),
      adamw({lr: 1e-3}), adagrad({lr: 0.01}), rmsprop({lr: 1e-3, momentum: 0.5, centered: true})];
    for (const o of opts) feed(o, p, 0); // creates the state variables
    await expectNoLeak(() => {
      for (let t = 1; t <= 100; t++) for (const o of opts) feed(o, p, t);
    });
    for (const o of opts) o.dispose();
    tf.dispose([p.W, p.b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('works with optimizer.minimize (sgd: p <- p - lr * dL/dp)', () => {
    const x = tf.tidy(() => tf.variable(tf.tensor1d([1, -2]), true, `min_${backend}`));
    const opt = sgd({lr: 0.1});
    const cost = opt.minimize(() => tf.sum(tf.square(x)), true)!; // dL/dx = 2x
    expectClose(x, [0.8, -1.6]);
    expectClose(cost, 5);
    tf.dispose([cost, x]);
    opt.dispose();
  });
});

describe('tfjs-layers', () => {
  // cpu: on wasm, tfjs-layers' fused dense+relu trips tfjs's own kernel leak check in test mode
  // ("Backend 'wasm' has an internal memory leak ... fusedMatMul"), unrelated to the optimizer.
  beforeAll(() => useBackend('cpu'));
  it('compiles and fits a real model with adamw and a schedule, then round-trips the optimizer weights', async () => {
    const model = tfl.sequential({layers: [tfl.layers.dense({units: 4, inputShape: [3], activation: 'relu'}), tfl.layers.dense({units: 1})]});
    const opt = adamw({lr: stepDecay({initial: 0.05, stepSize: 10, gamma: 0.5}), weightDecay: 1e-4});
    model.compile({optimizer: opt, loss: 'meanSquaredError'});
    const xs = tf.tensor2d([[0, 1, 2], [1, 0, -1], [2, 2, 0], [-1, 1, 1], [0.5, -0.5, 1], [1, 1, 1]]);
    const ys = tf.tensor2d([[1], [0], [2], [-1], [0.5], [1.5]]);
    const h = await model.fit(xs, ys, {epochs: 30, batchSize: 6, verbose: 0});
    const loss = h.history.loss as number[];
    expect(loss[29]).toBeLessThan(loss[0] * 0.5);
    expect(opt.step).toBe(30);
    expect(opt.currentLr).toBeCloseTo(0.05 * 0.5 ** 3, 15);
    const w = await opt.getWeights();
    expect(w.filter((x) => x.name.endsWith('/exp_avg'))).toHaveLength(4); // 2 kernels + 2 biases
    tf.dispose([xs, ys, ...w.map((x) => x.tensor)]);
    model.dispose();
    opt.dispose();
  });
});

describe('serialization and errors', () => {
  it('registers every optimizer under its own class name and rebuilds from getConfig', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    for (const make of [sgd, adam, adamw, adagrad, rmsprop]) make({lr: 0.01}).dispose(); // each factory registers its class
    for (const n of ['StableTrainSGD', 'StableTrainAdam', 'StableTrainAdamW', 'StableTrainAdagrad', 'StableTrainRMSprop']) expect(map[n]).toBeDefined();
    expect(map.Adam[0]).not.toBe(TorchAdam); // tfjs's own Adam stays registered
    const a = adam({lr: 0.01, eps: 1e-6, amsgrad: true});
    const b = TorchAdam.fromConfig(TorchAdam, a.getConfig()) as TorchAdam;
    expect([b.lr, b.eps, b.amsgrad]).toEqual([0.01, 1e-6, true]);
  });
  it.each([
    [() => sgd({lr: 0.1, nesterov: true}), 'sgd: nesterov must be false unless momentum > 0 and dampening 0, got momentum 0, dampening 0'],
    [() => sgd({lr: -1}), 'sgd: lr must be a finite number >= 0 or a schedule function, got -1'],
    [() => adam({lr: 0.1, eps: 0}), 'adam: eps must be a finite number > 0, got 0'],
    [() => adam({lr: 0.1, beta1: 1}), 'adam: beta1 must be a number in [0, 1) or a schedule function, got 1'],
    [() => adamw({lr: 0.1, weightDecay: -0.1}), 'adamw: weightDecay must be a finite number >= 0, got -0.1'],
    [() => adagrad({lr: 0.1, initialAccumulatorValue: -1}), 'adagrad: initialAccumulatorValue must be a finite number >= 0, got -1'],
    [() => rmsprop({lr: 0.1, alpha: 1.5}), 'rmsprop: alpha must be a number in [0, 1), got 1.5'],
  ])('%#: %s', (f, msg) => expect(f).toThrow(msg));
  it('rejects unknown variables, wrong shapes, bad schedule values and foreign weights before touching anything', async () => {
    const x = tf.tidy(() => tf.variable(tf.zeros([2]), true, 'err_x'));
    const g = tf.ones([3]);
    const opt = adam({lr: 0.1});
    expect(() => opt.applyGradients({nope: g})).toThrow("adam.applyGradients: variableGradients must name registered variables, got 'nope'");
    expect(() => opt.applyGradients({err_x: g})).toThrow("adam.applyGradients: variableGradients['err_x'] must be a float32 tensor of the variable's shape [2], got a tensor of dtype float32, shape [3]");
    expect(() => adam({lr: () => NaN}).applyGradients({})).toThrow('adam: lr(0) must be a finite number in [0, 3.4028234663852886e+38] (float32), got NaN');
    await expect(opt.setWeights([{name: 'err_x/momentum_buffer', tensor: g}])).rejects.toThrow("adam.setWeights: unexpected weight 'err_x/momentum_buffer'");
    expect(opt.step).toBe(0);
    tf.dispose([x, g]);
    opt.dispose();
  });
});
