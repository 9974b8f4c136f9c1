// Momentum (SGD, RMSprop) and beta1 (Adam, AdamW) given as schedules, as PyTorch's OneCycleLR /
// CyclicLR with cycle_momentum=True drive them: trajectories against a float64 reference, the
// constant-schedule case against the optimizers.json goldens, checkpoints, errors and leaks.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden, type GoldenTensor} from '@stable-train/testing';
import {adam, adamw, cyclicMomentum, oneCycle, oneCycleMomentum, rmsprop, sgd, TorchSGD, withSchedule, type TorchOptimizer} from '../src';

const golden = loadGolden('optimizers');
const GRADS: {W: GoldenTensor; b: GoldenTensor}[] = golden.optimizers[0].steps.map((s: {grads: {W: GoldenTensor; b: GoldenTensor}}) => s.grads);
const TOL = {rtol: 1e-5, atol: 1e-6}; // goldens README: optimizer params after 5 steps
const N = 8; // steps of the schedule trajectories (gradients cycle through the 5 golden ones)

// ---------------------------------------------------------------------------------------------
// float64 re-implementation of PyTorch 1.13's rules (torch/optim/{sgd,adam,rmsprop}.py,
// `_single_tensor_*`; goldens README §6), with the per-step `momentum` / `betas[0]` that
// OneCycleLR / CyclicLR(cycle_momentum=True) write into the param group before each step.
// One flat parameter, plain JS numbers.

/** SGD: buf is None until the first step with momentum != 0 (then buf = d); μ_t tested per step. */
function refSgd(p0: number[], gs: number[][], lr: number[], mu: number[], o: {wd: number; damp: number; nesterov: boolean}): number[] {
  const p = p0.slice();
  let buf: number[] | null = null;
  gs.forEach((g, k) => {
    const d = g.map((gi, i) => gi + o.wd * p[i]);
    let step = d;
    if (mu[k] !== 0) {
      const b: number[] = buf === null ? d.slice() : buf.map((bi, i) => mu[k] * bi + (1 - o.damp) * d[i]);
      buf = b;
      step = o.nesterov ? d.map((di, i) => di + mu[k] * b[i]) : b;
    }
    p.forEach((_, i) => (p[i] -= lr[k] * step[i]));
  });
  return p;
}

/**
 * Adam/AdamW: m = β1_t·m + (1−β1_t)·g; bias_correction1 = 1 − β1_t^t with the current β1_t
 * (PyTorch). `product` instead uses 1 − ∏β1_k (TF.js's accumulated beta), to show the difference.
 */
function refAdam(p0: number[], gs: number[][], lr: number[], b1s: number[], o: {wd: number; decoupled: boolean; eps: number}, product = false): number[] {
  const p = p0.slice();
  const b2 = 0.999;
  let m = p.map(() => 0), v = p.map(() => 0), prod = 1;
  gs.forEach((g0, k) => {
    const t = k + 1, b1 = b1s[k];
    if (o.decoupled) p.forEach((_, i) => (p[i] *= 1 - lr[k] * o.wd));
    const g = g0.map((gi, i) => gi + (o.decoupled ? 0 : o.wd * p[i]));
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] ** 2);
    prod *= b1;
    const bc1 = product ? 1 - prod : 1 - b1 ** t;
    p.forEach((_, i) => (p[i] -= (lr[k] / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + o.eps)));
  });
  return p;
}

/** RMSprop: buffer zeros at the start; buf = μ_t·buf + g/(√sq + eps) on steps with μ_t > 0. */
function refRmsprop(p0: number[], gs: number[][], lr: number[], mu: number[], o: {alpha: number; eps: number}): number[] {
  const p = p0.slice();
  let sq = p.map(() => 0), buf = p.map(() => 0);
  gs.forEach((g, k) => {
    sq = sq.map((s, i) => o.alpha * s + (1 - o.alpha) * g[i] ** 2);
    const den = sq.map((s) => Math.sqrt(s) + o.eps);
    if (mu[k] > 0) {
      buf = buf.map((b, i) => mu[k] * b + g[i] / den[i]);
      p.forEach((_, i) => (p[i] -= lr[k] * buf[i]));
    } else {
      p.forEach((_, i) => (p[i] -= (lr[k] * g[i]) / den[i]));
    }
  });
  return p;
}
// ---------------------------------------------------------------------------------------------

const steps = (s: (i: number) => number) => Array.from({length: N}, (_, i) => s(i));
const gradsOf = (k: 'W' | 'b') => Array.from({length: N}, (_, t) => goldenData(GRADS[t % 5][k]));
const init = (k: 'W' | 'b'): number[] => golden.initial_params[k].data;
const maxRel = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));

let uid = 0;
function params(tag: string): {W: tf.Variable; b: tf.Variable} {
  const n = `mom_${tag}_${uid++}`;
  return tf.tidy(() => ({
    W: tf.variable(goldenTensor(golden.initial_params.W), true, `${n}/W`),
    b: tf.variable(goldenTensor(golden.initial_params.b), true, `${n}/b`),
  }));
}
function feed(opt: tf.Optimizer, p: {W: tf.Variable; b: tf.Variable}, t: number): void {
  const grads = {[p.W.name]: goldenTensor(GRADS[t % 5].W), [p.b.name]: goldenTensor(GRADS[t % 5].b)};
  opt.applyGradients(grads);
  tf.dispose(Object.values(grads));
}

// one cycle over the N steps with a wide momentum range, so that a rule using a fixed or a
// stale momentum is far outside the tolerance
const CYC = {totalSteps: N, pctStart: 0.3, baseMomentum: 0.5, maxMomentum: 0.95};
const sgdLr = oneCycle({maxValue: 0.1, ...CYC});
const adamLr = oneCycle({maxValue: 0.05, ...CYC});
const mom = oneCycleMomentum({maxValue: 0.1, ...CYC});
// SGD with μ_t = 0 on some steps (first among them): PyTorch skips the buffer on those steps
const ZEROS = [0, 0.9, 0, 0.6, 0.3, 0, 0.8, 0.7];
const zeroMom = (i: number) => ZEROS[i % N];

describeBackends(['cpu', 'wasm'], (backend) => {
  it.each([
    ['sgd, oneCycle lr + momentum, L2', {wd: 0.01, damp: 0, nesterov: false}],
    ['sgd nesterov, oneCycle lr + momentum', {wd: 0.01, damp: 0, nesterov: true}],
    ['sgd dampening 0.2, oneCycle lr + momentum', {wd: 0, damp: 0.2, nesterov: false}],
  ] as const)('%s matches the float64 PyTorch-rule reference', (_n, o) => {
    const p = params(`sgd_${backend}`);
    const opt = sgd({lr: sgdLr, momentum: mom, weightDecay: o.wd, dampening: o.damp, nesterov: o.nesterov});
    for (let t = 0; t < N; t++) {
      expect(opt.currentMomentum).toBe(mom(t));
      feed(opt, p, t);
    }
    const want = {W: refSgd(init('W'), gradsOf('W'), steps(sgdLr), steps(mom), o), b: refSgd(init('b'), gradsOf('b'), steps(sgdLr), steps(mom), o)};
    expectClose(p.W, want.W, TOL);
    expectClose(p.b, want.b, TOL);
    // the test can tell: a constant momentum 0.9 ends far away
    expect(maxRel(refSgd(init('W'), gradsOf('W'), steps(sgdLr), steps(() => 0.9), o), want.W)).toBeGreaterThan(1e-3);
    opt.dispose();
    tf.dispose([p.W, p.b]);
  });

  it('sgd: steps with scheduled momentum 0 are plain steps and keep the buffer, as PyTorch', async () => {
    const p = params(`sgd0_${backend}`);
    const o = {wd: 0.01, damp: 0.3, nesterov: false};
    const opt = sgd({lr: 0.1, momentum: zeroMom, weightDecay: o.wd, dampening: o.damp});
    feed(opt, p, 0);
    const w0 = await opt.getWeights();
    expect(w0.map((w) => w.name)).toEqual(['iter', `${p.W.name}/step`, `${p.b.name}/step`]); // no buffer yet
    tf.dispose(w0.map((w) => w.tensor));
    for (let t = 1; t < N; t++) feed(opt, p, t);
    const lr = steps(() => 0.1);
    expectClose(p.W, refSgd(init('W'), gradsOf('W'), lr, ZEROS, o), TOL);
    expectClose(p.b, refSgd(init('b'), gradsOf('b'), lr, ZEROS, o), TOL);
    opt.dispose();
    tf.dispose([p.W, p.b]);
  });

  it.each([
    ['adam, oneCycle lr + beta1', false, 0],
    ['adam, oneCycle lr + beta1, coupled L2', false, 0.01],
    ['adamw, oneCycle lr + beta1', true, 0.01],
  ] as const)('%s matches the float64 PyTorch-rule reference (bias correction 1 - β1_t^t)', (_n, decoupled, wd) => {
    const p = params(`adam_${backend}`);
    const make = decoupled ? adamw : adam;
    const opt = make({lr: adamLr, beta1: mom, weightDecay: wd});
    for (let t = 0; t < N; t++) {
      expect(opt.currentBeta1).toBe(mom(t));
      feed(opt, p, t);
    }
    const o = {wd, decoupled, eps: 1e-8};
    const want = {W: refAdam(init('W'), gradsOf('W'), steps(adamLr), steps(mom), o), b: refAdam(init('b'), gradsOf('b'), steps(adamLr), steps(mom), o)};
    expectClose(p.W, want.W, TOL);
    expectClose(p.b, want.b, TOL);
    // the test can tell PyTorch's bias correction from TF.js's accumulated product of betas
    expect(maxRel(refAdam(init('W'), gradsOf('W'), steps(adamLr), steps(mom), o, true), want.W)).toBeGreaterThan(1e-3);
    opt.dispose();
    tf.dispose([p.W, p.b]);
  });

  it('rmsprop, cyclic momentum (reaching 0) matches the float64 PyTorch-rule reference', () => {
    const cm = cyclicMomentum({stepSizeUp: 3, baseMomentum: 0, maxMomentum: 0.9}); // 0.9, 0.6, 0.3, 0, 0.3, ...
    expect(cm(3)).toBe(0);
    const p = params(`rms_${backend}`);
    const opt = rmsprop({lr: 0.01, alpha: 0.9, eps: 1e-7, momentum: cm});
    for (let t = 0; t < N; t++) feed(opt, p, t);
    const lr = steps(() => 0.01);
    expectClose(p.W, refRmsprop(init('W'), gradsOf('W'), lr, steps(cm), {alpha: 0.9, eps: 1e-7}), TOL);
    expectClose(p.b, refRmsprop(init('b'), gradsOf('b'), lr, steps(cm), {alpha: 0.9, eps: 1e-7}), TOL);
    opt.dispose();
    tf.dispose([p.W, p.b]);
  });

  // optimizers.json: a constant schedule gives the numeric option's trajectory bit for bit
  const byName = (n: string) => golden.optimizers.find((c: {name: string}) => c.name === n);
  it.each([
    ['sgd_momentum', (m: number | (() => number)) => sgd({lr: 0.1, momentum: m, weightDecay: 0.01})],
    ['sgd_nesterov', (m: number | (() => number)) => sgd({lr: 0.1, momentum: m, weightDecay: 0.01, nesterov: true})],
    ['adam', (m: number | (() => number)) => adam({lr: 0.05, beta1: m})],
    ['adamw', (m: number | (() => number)) => adamw({lr: 0.05, beta1: m, weightDecay: 0.01})],
  ] as const)('%s: momentum/beta1 () => 0.9 reproduces the golden and the numeric option exactly', async (name, make) => {
    const c = byName(name);
    expect(c.constructor_args.momentum ?? c.constructor_args.betas[0]).toBe(0.9);
    const ps = params(`const_s_${backend}`);
    const pn = params(`const_n_${backend}`);
    const sched = make(() => 0.9);
    const num = make(0.9);
    for (const [t, st] of c.steps.entries()) {
      const g = (p: {W: tf.Variable; b: tf.Variable}) => ({[p.W.name]: goldenTensor(st.grads.W), [p.b.name]: goldenTensor(st.grads.b)});
      const gs = g(ps), gn = g(pn);
      sched.applyGradients(gs);
      num.applyGradients(gn);
      tf.dispose([...Object.values(gs), ...Object.values(gn)]);
      expectClose(ps.W, goldenData(st.params_after.W), TOL);
      expectClose(ps.b, goldenData(st.params_after.b), TOL);
      expect(Array.from(ps.W.dataSync())).toEqual(Array.from(pn.W.dataSync())); // identical floats
      expect(Array.from(ps.b.dataSync())).toEqual(Array.from(pn.b.dataSync()));
      expect(sched.step).toBe(t + 1);
    }
    // same state, slot for slot
    const [ws, wn] = [await sched.getWeights(), await num.getWeights()];
    expect(ws.map((w) => w.name.replace(ps.W.name.split('/')[0], ''))).toEqual(wn.map((w) => w.name.replace(pn.W.name.split('/')[0], '')));
    ws.forEach((w, i) => expect(Array.from(w.tensor.dataSync())).toEqual(Array.from(wn[i].tensor.dataSync())));
    tf.dispose([...ws, ...wn].map((w) => w.tensor));
    sched.dispose();
    num.dispose();
    tf.dispose([ps.W, ps.b, pn.W, pn.b]);
  });

  it('sgd with a momentum schedule restores a checkpoint (buffer included) and continues identically', async () => {
    const a = params(`ckA_${backend}`);
    const b = params(`ckB_${backend}`);
    const optA = sgd({lr: sgdLr, momentum: mom, dampening: 0.1});
    for (let t = 0; t < 3; t++) feed(optA, a, t);
    const saved = await optA.getWeights();
    expect(saved.filter((w) => w.name.endsWith('/momentum_buffer'))).toHaveLength(2);
    const prefixA = a.W.name.split('/')[0], prefixB = b.W.name.split('/')[0];
    const optB = sgd({lr: sgdLr, momentum: mom, dampening: 0.1});
    await optB.setWeights(saved.map((w) => ({name: w.name.replace(prefixA, prefixB), tensor: w.tensor})));
    b.W.assign(a.W);
    b.b.assign(a.b);
    expect(optB.currentMomentum).toBe(mom(3));
    for (let t = 3; t < N; t++) {
      feed(optA, a, t);
      feed(optB, b, t);
    }
    expect(Array.from(b.W.dataSync())).toEqual(Array.from(a.W.dataSync()));
    tf.dispose(saved.map((w) => w.tensor));
    optA.dispose();
    optB.dispose();
    tf.dispose([a.W, a.b, b.W, b.b]);
  });

  it('withSchedule drives tf.train.momentum by lr and momentum schedules (= PyTorch SGD without decay)', async () => {
    const p = params(`ws_${backend}`);
    const opt = withSchedule(tf.train.momentum(0.1, 0.95), sgdLr, {momentum: mom});
    const before = tf.memory().numTensors;
    feed(opt, p, 0); // makes the accumulators
    await expectNoLeak(() => {
      for (let t = 1; t < N; t++) {
        expect(opt.currentMomentum).toBe(mom(t));
        feed(opt, p, t);
      }
    });
    expect(tf.memory().numTensors).toBe(before + 2); // the two accumulators, nothing else
    const o = {wd: 0, damp: 0, nesterov: false};
    expectClose(p.W, refSgd(init('W'), gradsOf('W'), steps(sgdLr), steps(mom), o), TOL);
    expectClose(p.b, refSgd(init('b'), gradsOf('b'), steps(sgdLr), steps(mom), o), TOL);
    expect(opt.getConfig().momentum).toBe(mom(N - 1)); // the value used by the last update
    opt.dispose();
    tf.dispose([p.W, p.b]);
  });

  it('leaks nothing over 50 steps with scheduled momentum/beta1, and dispose() frees the state', async () => {
    const before = tf.memory().numTensors;
    const p = params(`leak_${backend}`);
    // oneCycle throws past totalSteps (as PyTorch's OneCycleLR): a cycle as long as the 50 steps
    const long = {...CYC, totalSteps: 50};
    const [sgdLr50, adamLr50, mom50] = [oneCycle({maxValue: 0.1, ...long}), oneCycle({maxValue: 0.05, ...long}), oneCycleMomentum({maxValue: 0.1, ...long})];
    const opts: TorchOptimizer[] = [
      sgd({lr: sgdLr50, momentum: zeroMom, nesterov: true, weightDecay: 1e-3}), sgd({lr: 0.01, momentum: mom50, dampening: 0.1}),
      adam({lr: adamLr50, beta1: mom50, amsgrad: true}), adamw({lr: 1e-3, beta1: mom50}),
      rmsprop({lr: 1e-3, momentum: cyclicMomentum({stepSizeUp: 2, baseMomentum: 0}), centered: true}),
    ];
    for (let t = 0; t < 2; t++) for (const o of opts) feed(o, p, t); // makes every state variable (zeroMom: at step 1)
    await expectNoLeak(() => {
      for (let t = 2; t < 50; t++) for (const o of opts) feed(o, p, t % N);
    });
    for (const o of opts) o.dispose();
    tf.dispose([p.W, p.b]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('momentum / beta1 schedules: config and errors', () => {
  it('getConfig reports the current momentum (a scheduled hyper-parameter), the lr schedule as its spec, and fromConfig rebuilds', () => {
    const opt = sgd({lr: sgdLr, momentum: mom, nesterov: true});
    expect(opt.getConfig().momentum).toBe(mom(0));
    const copy = TorchSGD.fromConfig(TorchSGD, opt.getConfig()) as TorchSGD;
    expect([copy.momentum, copy.nesterov]).toEqual([mom(0), true]);
    // the lr schedule carries its JSON spec (scheduleSpec), so it is rebuilt whole
    for (let k = 0; k < N; k++) expect((copy.lr as (s: number) => number)(k)).toBe(sgdLr(k));
    expect(adam({lr: 0.1, beta1: mom}).getConfig().beta1).toBe(mom(0));
    expect(rmsprop({lr: 0.1, momentum: () => 0.3}).getConfig().momentum).toBe(0.3);
    expect(adam({lr: 0.1}).getConfig().beta1).toBe(0.9); // numbers unchanged
  });

  it.each([
    [() => sgd({lr: 0.1, momentum: () => 1}), 'sgd: momentum(0) must be a number in [0, 1), got 1'],
    [() => sgd({lr: 0.1, momentum: () => NaN}), 'sgd: momentum(0) must be a number in [0, 1), got NaN'],
    [() => adam({lr: 0.1, beta1: () => -0.1}), 'adam: beta1(0) must be a number in [0, 1), got -0.1'],
    [() => adamw({lr: 0.1, beta1: (() => '0.9') as never}), 'adamw: beta1(0) must be a number in [0, 1), got \"0.9\"'],
    [() => rmsprop({lr: 0.1, momentum: () => Infinity}), 'rmsprop: momentum(0) must be a number in [0, 1), got Infinity'],
  ] as const)('a schedule out of range throws at the update, naming it: %#', (make, msg) => {
    const opt = make();
    expect(() => opt.applyGradients({})).toThrow(msg);
    expect(() => opt.getConfig()).toThrow(msg);
    expect(opt.step).toBe(0);
    opt.dispose();
  });

  it('a schedule that goes bad later throws before any tensor is touched', () => {
    const x = tf.tidy(() => tf.variable(tf.tensor1d([1, 2]), true, 'mom_err_late'));
    const g = tf.tensor1d([0.5, -0.5]);
    const opt = adam({lr: 0.1, beta1: (i) => (i < 2 ? 0.9 : 1.5)});
    opt.applyGradients({[x.name]: g});
    opt.applyGradients({[x.name]: g});
    const before = Array.from(x.dataSync());
    const n = tf.memory().numTensors;
    expect(() => opt.applyGradients({[x.name]: g})).toThrow('adam: beta1(2) must be a number in [0, 1), got 1.5');
    expect(Array.from(x.dataSync())).toEqual(before);
    expect(tf.memory().numTensors).toBe(n);
    expect(opt.step).toBe(2);
    opt.dispose();
    tf.dispose([x, g]);
  });

  it.each([
    [() => sgd({lr: 0.1, momentum: '0.9' as never}), 'sgd: momentum must be a number in [0, 1) or a schedule function, got "0.9"'],
    [() => sgd({lr: 0.1, momentum: 1}), 'sgd: momentum must be a number in [0, 1) or a schedule function, got 1'],
    [() => rmsprop({lr: 0.1, momentum: -0.5}), 'rmsprop: momentum must be a number in [0, 1) or a schedule function, got -0.5'],
    [() => adamw({lr: 0.1, beta1: true as never}), 'adamw: beta1 must be a number in [0, 1) or a schedule function, got true'],
    [() => sgd({lr: 0.1, momentum: mom, nesterov: true, dampening: 0.1}), 'sgd: nesterov must be false unless momentum > 0 and dampening 0, got momentum schedule, dampening 0.1'],
  ] as const)('bad options throw at construction: %#', (make, msg) => {
    expect(make).toThrow(msg);
  });

  it('withSchedule: a momentum schedule needs tf.train.momentum, and is checked per step', () => {
    const a = tf.train.adam(0.1);
    expect(() => withSchedule(a, () => 0.1, {momentum: () => 0.9})).toThrow('withSchedule: optimizer must be tf.train.momentum (a MomentumOptimizer) for a momentum schedule, got AdamOptimizer; for Adam beta1 or RMSprop momentum use adam/adamw/rmsprop/sgd from this package');
    const m = tf.train.momentum(0.1, 0.9);
    expect(() => withSchedule(m, () => 0.1, {momentum: 0.9 as never})).toThrow('withSchedule: momentum must be a function (step) => number, got 0.9');
    const bad = withSchedule(m, () => 0.1, {momentum: () => 1});
    expect(() => bad.applyGradients({})).toThrow('withSchedule: momentum(0) must be a number in [0, 1), got 1');
    expect(withSchedule(m, () => 0.1).currentMomentum).toBeUndefined();
    a.dispose();
    m.dispose();
  });
});
