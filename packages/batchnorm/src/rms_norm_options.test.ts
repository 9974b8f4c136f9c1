// RMSNorm's PyTorch options normalized_shape (the last k axes) and elementwise_affine
// (torch >= 2.4 nn.RMSNorm). The reference file only has last-axis cases, so the multi-axis
// expectations are float64 references computed in this test from the float32 inputs
// (test/float64_reference.ts: rmsNormRef), which are first checked against the PyTorch goldens
// and against finite differences.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {RMSNorm, rmsNorm} from './rms_norm';
import {FWD, GRAD, cases} from '../test/golden_check';
import {finiteDiff, rmsNormRef, seeded} from '../test/float64_reference';

const F64 = {rtol: 1e-10, atol: 1e-12};
/** PyTorch nn.RMSNorm's default eps=None: torch.finfo(torch.float32).eps = 2^-23. */
const TORCH_F32_EPS = 1.1920929e-7;

/** The last-axis rmsNorm as it was before normalizedShape (git history), verbatim. */
function rmsNormBefore(x: tf.Tensor, gamma: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gamma);
  });
}

/** y and the gradients of sum(op(x, g) * up) w.r.t. x and the non-null g (as arrays). */
function forwardAndGrads(op: (x: tf.Tensor, g: tf.Tensor | null) => tf.Tensor, x: tf.Tensor, g: tf.Tensor | null, up: tf.Tensor) {
  const inputs = g ? [x, g] : [x];
  const y = op(x, g);
  const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(op(a[0], a[1] ?? null), up)))(inputs);
  const out = {y: Array.from(y.dataSync()), shape: y.shape, dx: Array.from(grads[0].dataSync()), dgamma: g ? Array.from(grads[1].dataSync()) : null};
  tf.dispose([y, ...grads]);
  return out;
}

// NHWC [2, 3, 4, 5]; sample 0 is tiny (scale 1e-3) so eps matters there.
const SHAPE = [2, 3, 4, 5];
const X = [...seeded(41, 60, 0, 1e-3), ...seeded(42, 60, 0.5, 2)];
const UP = seeded(43, 120, 0, 1);

describe('rmsNormRef (float64 reference used below)', () => {
  for (const c of cases('rmsnorm')) {
    it(`reproduces PyTorch ${c.name}`, () => {
      const r = rmsNormRef(c.x.data, c.gamma.shape[0], c.gamma.data, c.upstream_grad.data, c.eps);
      expectClose(r.y, goldenData(c.y), F64);
      expectClose(r.dx, goldenData(c.dx), F64);
      expectClose(r.dgamma, goldenData(c.dgamma), F64);
    });
  }

  it('has gradients equal to finite differences over [H, W, C]', () => {
    const g = seeded(44, 60, 1, 0.5);
    const x = [...seeded(45, 60, 0, 1), ...seeded(46, 60, 1, 1)];
    const loss = (xx: number[], gg: number[]) => rmsNormRef(xx, 60, gg, UP, 1e-3).y.reduce((a, v, i) => a + v * UP[i], 0);
    const r = rmsNormRef(x, 60, g, UP, 1e-3);
    const tol = {rtol: 1e-6, atol: 1e-8};
    expectClose(r.dx, finiteDiff((p) => loss(p, g), x), tol);
    expectClose(r.dgamma, finiteDiff((p) => loss(x, p), g), tol);
  });
});

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const k of [1, 2, 3]) {
    const ns = SHAPE.slice(4 - k);
    const m = ns.reduce((a, d) => a * d, 1);
    for (const eps of [1e-6, TORCH_F32_EPS]) {
      it(`normalizedShape [${ns}], eps ${eps} on NHWC [${SHAPE}]: y, dx, dgamma match the float64 reference`, () => {
        const g = seeded(50 + k, m, 1, 0.5);
        const ts = [tf.tensor(X, SHAPE), tf.tensor(g, ns), tf.tensor(UP, SHAPE)];
        const got = forwardAndGrads((x, gg) => rmsNorm(x, gg, eps, ns), ts[0], ts[1], ts[2]);
        const want = rmsNormRef(X, m, g, UP, eps);
        expectClose(got.y, want.y, FWD);
        expectClose(got.dx, want.dx, GRAD);
        expectClose(got.dgamma!, want.dgamma, GRAD);
        tf.dispose(ts);
      });
    }
  }

  it('the default and normalizedShape [C] (array or integer) are the old last-axis RMS norm, bit for bit', () => {
    for (const c of cases('rmsnorm')) {
      const [x, g, up] = [c.x, c.gamma, c.upstream_grad].map(goldenTensor);
      const old = forwardAndGrads((a, gg) => rmsNormBefore(a, gg!, c.eps), x, g, up);
      expect(forwardAndGrads((a, gg) => rmsNorm(a, gg, c.eps), x, g, up)).toEqual(old);
      for (const ns of [[c.gamma.shape[0]], c.gamma.shape[0]]) {
        expect(forwardAndGrads((a, gg) => rmsNorm(a, gg, c.eps, ns), x, g, up)).toEqual(old);
      }
      tf.dispose([x, g, up]);
    }
  });

  it('null gamma equals ones bit for bit (y, dx)', () => {
    const ns = [3, 4, 5];
    const [x, up, ones] = [tf.tensor(X, SHAPE), tf.tensor(UP, SHAPE), tf.ones(ns)];
    const op = (a: tf.Tensor, gg: tf.Tensor | null) => rmsNorm(a, gg, 1e-6, ns);
    const [r, full] = [forwardAndGrads(op, x, null, up), forwardAndGrads(op, x, ones, up)];
    expect([r.y, r.dx]).toEqual([full.y, full.dx]);
    expectClose(r.y, rmsNormRef(X, 60, null, UP, 1e-6).y, FWD);
    tf.dispose([x, up, ones]);
  });

  describe('RMSNorm module', () => {
    it('normalizedShape [W, C]: gamma of that shape; y and tf.variableGrads match the float64 reference', () => {
      const ns = [4, 5];
      const norm = new RMSNorm({normalizedShape: ns, eps: TORCH_F32_EPS, name: `${backend}/rms_wc`});
      expect(norm.variables.map((v) => [v.name, v.shape, v.trainable])).toEqual([[`${backend}/rms_wc/gamma`, ns, true]]);
      expect([norm.channels, norm.normalizedShape, norm.eps, norm.elementwiseAffine]).toEqual([5, ns, TORCH_F32_EPS, true]);
      const g = seeded(61, 20, 1, 0.5);
      const state = {[`${norm.name}/gamma`]: tf.tensor(g, ns)};
      norm.setState(state);
      const [x, up] = [tf.tensor(X, SHAPE), tf.tensor(UP, SHAPE)];
      const y = norm.apply(x, {training: false});
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(norm.apply(a, {training: true}), up)))(x);
      const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(norm.apply(x, {training: true}), up)) as tf.Scalar);
      const want = rmsNormRef(X, 20, g, UP, TORCH_F32_EPS);
      expectClose(y, want.y, FWD);
      expectClose(dx, want.dx, GRAD);
      expectClose(grads[`${norm.name}/gamma`], want.dgamma, GRAD);
      tf.dispose([x, up, y, dx, value, ...Object.values(grads), ...Object.values(state)]);
      norm.dispose();
    });

    it('keeps its defaults: {channels} is normalizedShape [channels], eps 1e-6, affine', () => {
      const norm = new RMSNorm({channels: 6, name: `${backend}/rms_def`});
      expect([norm.normalizedShape, norm.eps, norm.elementwiseAffine]).toEqual([[6], 1e-6, true]);
      expect(norm.variables.map((v) => [v.name, v.shape])).toEqual([[`${backend}/rms_def/gamma`, [6]]]);
      norm.dispose();
    });

    it('elementwiseAffine: false has no variables and equals the affine layer at ones (y, dx); no leaks', async () => {
      const ns = [3, 4, 5];
      const plain = new RMSNorm({normalizedShape: ns, elementwiseAffine: false, name: `${backend}/rms_noaff`});
      const affine = new RMSNorm({normalizedShape: ns, name: `${backend}/rms_aff`});
      expect([plain.variables, plain.gamma, plain.elementwiseAffine]).toEqual([[], null, false]);
      const [x, up] = [tf.tensor(X, SHAPE), tf.tensor(UP, SHAPE)];
      const run = (l: RMSNorm) => forwardAndGrads((a) => l.apply(a, {training: true}), x, null, up);
      expect(run(plain)).toEqual(run(affine));
      await expectNoLeak(() => plain.apply(x, {training: true}));
      await expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.sum(plain.apply(a, {training: true})))(x));
      await expectNoLeak(() => tf.variableGrads(() => tf.sum(affine.apply(x, {training: true})) as tf.Scalar));
      await expectNoLeak(() => tf.grads((a: tf.Tensor, gg: tf.Tensor) => tf.sum(rmsNorm(a, gg, 1e-6, ns)))([x, affine.gamma!]));
      tf.dispose([x, up]);
      plain.dispose();
      affine.dispose();
    });
  });
});

describe('rmsNorm / RMSNorm normalizedShape and elementwiseAffine arguments', () => {
  it('names the bad argument and value, before making any tensor', () => {
    const x = tf.ones([2, 3, 4]);
    const [g34, g4] = [tf.ones([3, 4]), tf.ones([4])];
    const before = tf.memory().numTensors;
    expect(() => rmsNorm(x, null, 1e-6, [2, 4])).toThrow('rmsNorm: the last 2 axes of x must be normalizedShape [2,4], got shape [2,3,4]');
    expect(() => rmsNorm(x, g4, 1e-6, [3, 4])).toThrow('rmsNorm: gamma must have shape [3,4] (normalizedShape), got [4]');
    expect(() => rmsNorm(x, g34)).toThrow(
      'rmsNorm: gamma must have shape [4] (the last axis of x), got [3,4]; to normalise over the last 2 axes pass normalizedShape [3,4]');
    expect(() => rmsNorm(x, null, 1e-6, [0, 4])).toThrow(
      'rmsNorm: normalizedShape must be an integer > 0 or a non-empty array of integers > 0, got [0, 4]');
    expect(() => rmsNorm(x, null, -1, [4])).toThrow('rmsNorm: eps must be a finite number > 0, got -1');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g34, g4]);
  });

  it('RMSNorm validates its options and names the layer on a shape mismatch', () => {
    expect(() => new RMSNorm({name: 'r'})).toThrow('RMSNorm: channels or normalizedShape must be given, got neither');
    expect(() => new RMSNorm({normalizedShape: [3, 4], channels: 3})).toThrow(
      'RMSNorm: channels must equal the last entry of normalizedShape [3,4] (give one of them), got 3');
    expect(() => new RMSNorm({channels: 4, elementwiseAffine: 1 as never})).toThrow('RMSNorm: elementwiseAffine must be true or false, got 1');
    expect(() => new RMSNorm({channels: 4, eps: 0})).toThrow('RMSNorm: eps must be a finite number > 0, got 0');
    const norm = new RMSNorm({normalizedShape: [3, 4], name: 'dec/rms34'});
    const x = tf.ones([2, 2, 4]);
    expect(() => norm.apply(x, {training: true})).toThrow(
      "RMSNorm 'dec/rms34'.apply: x must end in normalizedShape [3,4], got shape [2,2,4]");
    x.dispose();
    norm.dispose();
  });
});
