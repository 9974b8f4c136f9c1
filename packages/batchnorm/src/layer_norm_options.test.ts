// LayerNorm's PyTorch options normalized_shape (the last k axes) and elementwise_affine.
// The reference file only has last-axis cases, so the multi-axis expectations are float64
// references computed in this test from the float32 inputs (test/float64_reference.ts:
// layerNormRef), which are first checked against the PyTorch goldens and against finite
// differences; plus a PyTorch cross-check through the GroupNorm goldens (group norm on NHWC =
// layer norm over (H, W, C/G) after moving the group axis forward).
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {LayerNorm, layerNorm} from './layer_norm';
import {moments} from './moments';
import {FWD, GRAD, cases} from '../test/golden_check';
import {finiteDiff, layerNormRef, seeded} from '../test/float64_reference';

const F64 = {rtol: 1e-10, atol: 1e-12};
type Op = (x: tf.Tensor, g: tf.Tensor | null, b: tf.Tensor | null) => tf.Tensor;

/** y and the gradients of sum(op(x, g, b) * up) w.r.t. x and the non-null g, b (as arrays). */
function forwardAndGrads(op: Op, x: tf.Tensor, g: tf.Tensor | null, b: tf.Tensor | null, up: tf.Tensor) {
  const inputs = [x, ...(g ? [g] : []), ...(b ? [b] : [])];
  const call = (a: tf.Tensor[]) => op(a[0], g ? a[1] : null, b ? a[g ? 2 : 1] : null);
  const y = call(inputs);
  const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(call(a), up)))(inputs);
  const out = {
    y: Array.from(y.dataSync()), shape: y.shape, dx: Array.from(grads[0].dataSync()),
    dgamma: g ? Array.from(grads[1].dataSync()) : null, dbeta: b ? Array.from(grads[g ? 2 : 1].dataSync()) : null,
  };
  tf.dispose([y, ...grads]);
  return out;
}

/** The last-axis layerNorm as it was before normalizedShape (git history), verbatim. */
function layerNormBefore(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  return tf.tidy(() => {
    const {mean, variance} = moments(x, [x.rank - 1], true);
    const xHat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(xHat, gamma), beta);
  });
}

// NHWC [N, H, W, C] = [2, 3, 4, 5]; sample 0 is small (scale 0.01) so eps matters, sample 1
// sits on an offset of 3 (cancellation in x - mean).
const SHAPE = [2, 3, 4, 5];
const X = [...seeded(1, 60, 0, 0.01), ...seeded(2, 60, 3, 1)];
const UP = seeded(3, 120, 0, 1);
const param = (seed: number, m: number, offset: number) => seeded(seed, m, offset, 0.5);

describe('layerNormRef (float64 reference used below)', () => {
  for (const c of cases('layernorm')) {
    it(`reproduces PyTorch ${c.name}`, () => {
      const m = c.gamma.shape[0];
      const r = layerNormRef(c.x.data, m, c.gamma.data, c.beta.data, c.upstream_grad.data, c.eps);
      expectClose(r.y, goldenData(c.y), F64);
      expectClose(r.dx, goldenData(c.dx), F64);
      expectClose(r.dgamma, goldenData(c.dgamma), F64);
      expectClose(r.dbeta, goldenData(c.dbeta), F64);
    });
  }

  it('has gradients equal to finite differences over [H, W, C]', () => {
    const [g, b] = [param(4, 60, 1), param(5, 60, 0)];
    const x = [...seeded(6, 60, 0, 1), ...seeded(7, 60, 2, 1)];
    const r = layerNormRef(x, 60, g, b, UP, 1e-3);
    const loss = (xx: number[], gg: number[], bb: number[]) =>
      layerNormRef(xx, 60, gg, bb, UP, 1e-3).y.reduce((a, v, i) => a + v * UP[i], 0);
    const tol = {rtol: 1e-6, atol: 1e-8};
    expectClose(r.dx, finiteDiff((p) => loss(p, g, b), x), tol);
    expectClose(r.dgamma, finiteDiff((p) => loss(x, p, b), g), tol);
    expectClose(r.dbeta, finiteDiff((p) => loss(x, g, p), b), tol);
  });
});

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const k of [1, 2, 3]) {
    const ns = SHAPE.slice(4 - k);
    const m = ns.reduce((a, d) => a * d, 1);
    it(`normalizedShape [${ns}] on NHWC [${SHAPE}]: y, dx, dgamma, dbeta match the float64 reference`, () => {
      const [g, b] = [param(10 + k, m, 1), param(20 + k, m, 0)];
      const ts = [tf.tensor(X, SHAPE), tf.tensor(g, ns), tf.tensor(b, ns), tf.tensor(UP, SHAPE)];
      const got = forwardAndGrads((x, gg, bb) => layerNorm(x, gg, bb, 1e-5, ns), ts[0], ts[1], ts[2], ts[3]);
      const want = layerNormRef(X, m, g, b, UP, 1e-5);
      expect(got.shape).toEqual(SHAPE);
      expectClose(got.y, want.y, FWD);
      expectClose(got.dx, want.dx, GRAD);
      expectClose(got.dgamma!, want.dgamma, GRAD);
      expectClose(got.dbeta!, want.dbeta, GRAD);
      tf.dispose(ts);
    });
  }

  it('the default and normalizedShape [C] (array or integer) are the old last-axis layer norm, bit for bit', () => {
    for (const c of cases('layernorm')) {
      const [x, g, b, up] = [c.x, c.gamma, c.beta, c.upstream_grad].map(goldenTensor);
      const old = forwardAndGrads((a, gg, bb) => layerNormBefore(a, gg!, bb!, c.eps), x, g, b, up);
      expect(forwardAndGrads((a, gg, bb) => layerNorm(a, gg, bb, c.eps), x, g, b, up)).toEqual(old);
      for (const ns of [[c.gamma.shape[0]], c.gamma.shape[0]]) {
        expect(forwardAndGrads((a, gg, bb) => layerNorm(a, gg, bb, c.eps, ns), x, g, b, up)).toEqual(old);
      }
      tf.dispose([x, g, b, up]);
    }
  });

  it('null gamma / beta equal ones / zeros bit for bit (y and dx), alone and together', () => {
    const ns = [3, 4, 5];
    const [x, up, ones, zeros] = [tf.tensor(X, SHAPE), tf.tensor(UP, SHAPE), tf.ones(ns), tf.zeros(ns)];
    const op: Op = (a, gg, bb) => layerNorm(a, gg, bb, 1e-5, ns);
    const full = forwardAndGrads(op, x, ones, zeros, up);
    for (const [g, b] of [[null, null], [ones, null], [null, zeros]] as const) {
      const r = forwardAndGrads(op, x, g, b, up);
      expect([r.y, r.dx]).toEqual([full.y, full.dx]);
    }
    expectClose(full.y, layerNormRef(X, 60, null, null, UP, 1e-5).y, FWD);
    tf.dispose([x, up, ones, zeros]);
  });

  it('cross-check with PyTorch: the GroupNorm goldens are layer norm over (H, W, C/G) of the regrouped input', () => {
    for (const c of cases('groupnorm')) {
      const [n, h, w, ch] = c.x.shape as number[];
      const G = c.groups as number;
      const [x, g, b, up] = [c.x, c.gamma, c.beta, c.upstream_grad].map(goldenTensor);
      const op = (a: tf.Tensor) => {
        const grouped = tf.transpose(tf.reshape(a, [n, h, w, G, ch / G]), [0, 3, 1, 2, 4]);
        const normed = layerNorm(grouped, null, null, c.eps, [h, w, ch / G]);
        const back = tf.reshape(tf.transpose(normed, [0, 2, 3, 1, 4]), [n, h, w, ch]);
        return tf.add(tf.mul(back, g), b);
      };
      const y = op(x);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(op(a), up)))(x);
      expectClose(y, goldenData(c.y), FWD);
      expectClose(dx, goldenData(c.dx), GRAD);
      tf.dispose([x, g, b, up, y, dx]);
    }
  });

  describe('LayerNorm module', () => {
    it('normalizedShape [H, W, C]: variables of that shape; y and tf.variableGrads match the float64 reference', () => {
      const ns = [3, 4, 5];
      const ln = new LayerNorm({normalizedShape: ns, eps: 1e-3, name: `${backend}/ln_hwc`});
      expect(ln.variables.map((v) => [v.name, v.shape, v.trainable])).toEqual([
        [`${backend}/ln_hwc/gamma`, ns, true],
        [`${backend}/ln_hwc/beta`, ns, true],
      ]);
      expect([ln.channels, ln.normalizedShape, ln.elementwiseAffine]).toEqual([5, ns, true]);
      const [g, b] = [param(31, 60, 1), param(32, 60, 0)];
      const state = {[`${ln.name}/gamma`]: tf.tensor(g, ns), [`${ln.name}/beta`]: tf.tensor(b, ns)};
      ln.setState(state);
      const [x, up] = [tf.tensor(X, SHAPE), tf.tensor(UP, SHAPE)];
      const y = ln.apply(x, {training: true});
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(ln.apply(a, {training: false}), up)))(x);
      const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(ln.apply(x, {training: true}), up)) as tf.Scalar);
      const want = layerNormRef(X, 60, g, b, UP, 1e-3);
      expectClose(y, want.y, FWD);
      expectClose(dx, want.dx, GRAD);
      expectClose(grads[`${ln.name}/gamma`], want.dgamma, GRAD);
      expectClose(grads[`${ln.name}/beta`], want.dbeta, GRAD);
      tf.dispose([x, up, y, dx, value, ...Object.values(grads), ...Object.values(state)]);
      ln.dispose();
    });

    it('{channels: C} and {normalizedShape: [C]} are the same layer (same variables, same numbers)', () => {
      const c = cases('layernorm')[2];
      const d = c.gamma.shape[0];
      const a = new LayerNorm({channels: d, eps: c.eps, name: `${backend}/ln_a`});
      const b2 = new LayerNorm({normalizedShape: [d], channels: d, eps: c.eps, name: `${backend}/ln_b`});
      expect(b2.variables.map((v) => v.shape)).toEqual(a.variables.map((v) => v.shape));
      const x = goldenTensor(c.x);
      const [ya, yb] = [a.apply(x, {training: true}), b2.apply(x, {training: true})];
      expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
      tf.dispose([x, ya, yb]);
      a.dispose();
      b2.dispose();
    });

    it('elementwiseAffine: false has no variables and equals the affine layer at ones / zeros (y, dx)', async () => {
      const ns = [4, 5];
      const plain = new LayerNorm({normalizedShape: ns, elementwiseAffine: false, name: `${backend}/ln_noaff`});
      const affine = new LayerNorm({normalizedShape: ns, name: `${backend}/ln_aff`});
      expect([plain.variables, plain.gamma, plain.beta, plain.elementwiseAffine]).toEqual([[], null, null, false]);
      expect(plain.getState()).toEqual({});
      const [x, up] = [tf.tensor(X, SHAPE), tf.tensor(UP, SHAPE)];
      const run = (l: LayerNorm) => forwardAndGrads((a) => l.apply(a, {training: true}), x, null, null, up);
      expect(run(plain)).toEqual(run(affine));
      await expectNoLeak(() => plain.apply(x, {training: true}));
      await expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.sum(plain.apply(a, {training: true})))(x));
      tf.dispose([x, up]);
      plain.dispose();
      affine.dispose();
    });
  });

  it('leaks nothing (multi-axis, with and without affine, forward and gradients)', async () => {
    const ns = [3, 4, 5];
    const [x, g, b] = [tf.tensor(X, SHAPE), tf.ones(ns), tf.zeros(ns)];
    await expectNoLeak(() => layerNorm(x, g, b, 1e-5, ns));
    await expectNoLeak(() => layerNorm(x, null, null, 1e-5, ns));
    await expectNoLeak(() => tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(layerNorm(a, gg, bb, 1e-5, ns)))([x, g, b]));
    const ln = new LayerNorm({normalizedShape: ns, name: `${backend}/ln_leak`});
    await expectNoLeak(() => tf.variableGrads(() => tf.sum(ln.apply(x, {training: true})) as tf.Scalar));
    ln.dispose();
    tf.dispose([x, g, b]);
  });
});

describe('layerNorm / LayerNorm normalizedShape and elementwiseAffine arguments', () => {
  it('names the bad argument and value, before making any tensor', () => {
    const x = tf.ones([2, 3, 4, 5]);
    const [g45, g5, g35] = [tf.ones([4, 5]), tf.ones([5]), tf.ones([3, 5])];
    const before = tf.memory().numTensors;
    expect(() => layerNorm(x, null, null, 1e-5, [3, 5])).toThrow(
      'layerNorm: the last 2 axes of x must be normalizedShape [3,5], got shape [2,3,4,5]');
    expect(() => layerNorm(x, null, null, 1e-5, [9, 2, 3, 4, 5])).toThrow(
      'layerNorm: the last 5 axes of x must be normalizedShape [9,2,3,4,5], got shape [2,3,4,5]');
    expect(() => layerNorm(x, g5, null, 1e-5, [4, 5])).toThrow('layerNorm: gamma must have shape [4,5] (normalizedShape), got [5]');
    expect(() => layerNorm(x, g45, g35, 1e-5, [4, 5])).toThrow('layerNorm: beta must have shape [4,5] (normalizedShape), got [3,5]');
    expect(() => layerNorm(x, g45, g45)).toThrow(
      'layerNorm: gamma must have shape [5] (the last axis of x), got [4,5]; to normalise over the last 2 axes pass normalizedShape [4,5]');
    for (const bad of [[], [0], [2.5], [-1], 'a', [4, NaN]]) {
      expect(() => layerNorm(x, null, null, 1e-5, bad as never)).toThrow(
        `layerNorm: normalizedShape must be an integer > 0 or a non-empty array of integers > 0, got ${Array.isArray(bad) ? `[${bad.join(', ')}]` : JSON.stringify(bad)}`);
    }
    expect(() => layerNorm(x, null, null, 0, [5])).toThrow('layerNorm: eps must be a finite number > 0, got 0');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g45, g5, g35]);
  });

  it('LayerNorm validates its options and names the layer on a shape mismatch', () => {
    expect(() => new LayerNorm({} as never)).toThrow('LayerNorm: channels or normalizedShape must be given, got neither');
    expect(() => new LayerNorm({normalizedShape: []})).toThrow('LayerNorm: normalizedShape must be an integer > 0 or a non-empty array of integers > 0, got []');
    expect(() => new LayerNorm({normalizedShape: [4, 5], channels: 4})).toThrow(
      'LayerNorm: channels must equal the last entry of normalizedShape [4,5] (give one of them), got 4');
    expect(() => new LayerNorm({channels: 5, elementwiseAffine: 'no' as never})).toThrow(
      'LayerNorm: elementwiseAffine must be true or false, got "no"');
    const ln = new LayerNorm({normalizedShape: 5, name: 'enc/ln5'});
    expect(ln.normalizedShape).toEqual([5]);
    const ln2 = new LayerNorm({normalizedShape: [4, 5], name: 'enc/ln45'});
    const x = tf.ones([2, 3, 5]);
    expect(() => ln2.apply(x, {training: true})).toThrow(
      "LayerNorm 'enc/ln45'.apply: x must end in normalizedShape [4,5], got shape [2,3,5]");
    const x1 = tf.ones([5]);
    expect(() => ln2.apply(x1, {training: true})).toThrow(
      "LayerNorm 'enc/ln45'.apply: x must end in normalizedShape [4,5], got shape [5]");
    tf.dispose([x, x1]);
    ln.dispose();
    ln2.dispose();
  });
});
