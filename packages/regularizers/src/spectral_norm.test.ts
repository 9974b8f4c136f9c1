import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {largestSingularValueRef, seq} from '../test/fixtures';
import {spectralNorm} from './spectral_norm';

describeBackends(['cpu', 'wasm'], (backend) => {
  const cases: [string, number[]][] = [
    ['dense [6, 4]', [6, 4]],
    ['conv [3, 3, 2, 4] (as [18, 4])', [3, 3, 2, 4]],
    ['wide dense [3, 7]', [3, 7]],
  ];
  for (const [label, shape] of cases) {
    it(`${label}: σ after 50 iterations matches a float64 power iteration on WᵀW to 1e-4`, () => {
      const n = shape[shape.length - 1];
      const m = shape.reduce((a, b) => a * b, 1) / n;
      const data = seq(m * n, 51 + shape.length);
      const expected = largestSingularValueRef(data, m, n); // independent: float64 JS, no tfjs
      const w = tf.tensor(data, shape);
      const sn = spectralNorm({iterations: 50, initIterations: 0, seed: 7});
      const out = sn.apply(w);
      const sigma = sn.sigma(w);
      expectClose(sigma, expected, {rtol: 1e-4, atol: 0});
      expectClose(out, data.map((x) => x / expected), {rtol: 1e-4, atol: 1e-6});
      // the normalised kernel has spectral norm 1
      expect(Math.abs(largestSingularValueRef(Array.from(out.dataSync()), m, n) - 1)).toBeLessThan(1e-4);
      sn.dispose();
      tf.dispose([w, out, sigma]);
    });
  }

  it('gradient flows through W only: dL/dW = G/σ − (⟨G,W⟩/σ²)·v uᵀ (u, v treated as constants)', () => {
    // σ = vᵀ W u with u, v fixed: dσ/dW = v uᵀ; L = ⟨G, W/σ⟩ → dL/dW = G/σ − ⟨G,W⟩·v uᵀ/σ²
    const [m, n] = [5, 3];
    const wData = seq(m * n, 61);
    const gData = seq(m * n, 62);
    const w = tf.tensor2d(wData, [m, n]);
    const g = tf.tensor2d(gData, [m, n]);
    const sn = spectralNorm({iterations: 1, seed: 3});
    // training mode inside the gradient: the power iteration runs there and must not be differentiated
    const dw = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(g, sn.apply(x, {training: true}))))(w);
    const state = sn.getState()!; // the u, v that the forward pass used
    const u = Array.from(state.u.dataSync());
    const v = Array.from(state.v.dataSync());
    let sigma = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sigma += v[i] * wData[i * n + j] * u[j];
    const gw = wData.reduce((s, x, i) => s + x * gData[i], 0);
    const expected = gData.map((gi, k) => gi / sigma - (gw * v[Math.floor(k / n)] * u[k % n]) / sigma ** 2);
    expectClose(dw, expected, {rtol: 1e-4, atol: 1e-6});
    sn.dispose();
    tf.dispose([w, g, dw, state.u, state.v]);
  });

  it('works inside tf.variableGrads with a trainable kernel and does not train u, v', () => {
    const k = tf.variable(tf.tensor2d(seq(8, 71), [4, 2]), true, `sn_${backend}/kernel`);
    const sn = spectralNorm();
    const {value, grads} = tf.variableGrads(() => tf.sum(tf.square(sn.apply(k))));
    expect(Object.keys(grads)).toEqual([k.name]);
    expect(sn.variables.every((x) => !x.trainable)).toBe(true);
    tf.dispose([value, grads, k]);
    sn.dispose();
  });

  it('eval mode keeps the state; getState/setState round-trip reproduces the output', () => {
    const w = tf.tensor2d(seq(12, 81), [4, 3]);
    const a = spectralNorm({seed: 1});
    tf.dispose(a.apply(w)); // creates and updates the state
    const before = a.getState()!;
    const evalOut = a.apply(w, {training: false});
    const after = a.getState()!;
    expectClose(after.u, Array.from(before.u.dataSync())); // eval does not iterate
    const b = spectralNorm({seed: 99});
    b.setState(before);
    const restored = b.apply(w, {training: false});
    expectClose(restored, Array.from(evalOut.dataSync()));
    expect(() => b.setState({u: tf.zeros([2]) as tf.Tensor1D, v: before.v})).toThrow(
      'spectralNorm.setState: state.u and state.v must have sizes 3 and 4, got 2 and 4',
    );
    a.dispose();
    b.dispose();
    tf.dispose([w, before.u, before.v, after.u, after.v, evalOut, restored]);
  });

  it('keeps exactly two state tensors and leaks nothing per step', async () => {
    const w = tf.tensor4d(seq(36, 91), [3, 3, 1, 4]);
    const sn = spectralNorm({iterations: 2});
    await expectNoLeak(() => sn.apply(w), {allowed: 2}); // u and v, created on first use
    await expectNoLeak(() => {
      for (let i = 0; i < 5; i++) tf.dispose(sn.apply(w));
      tf.dispose(sn.apply(w, {training: false}));
      tf.dispose(sn.sigma(w));
    });
    const before = tf.memory().numTensors;
    sn.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    w.dispose();
  });
});

describe('spectralNorm arguments', () => {
  it('rejects bad options, kernels and use after dispose', () => {
    expect(() => spectralNorm({iterations: 0})).toThrow('spectralNorm: iterations must be an integer in [1, 10000], got 0');
    expect(() => spectralNorm({iterations: 1.5})).toThrow('spectralNorm: iterations must be an integer in [1, 10000], got 1.5');
    expect(() => spectralNorm({eps: 0})).toThrow('spectralNorm: eps must be a finite number > 0, got 0');
    expect(() => spectralNorm({seed: NaN})).toThrow('spectralNorm: seed must be a finite number, got NaN');
    const sn = spectralNorm({seed: 1});
    const v = tf.ones([3]);
    const w = tf.ones([3, 2]);
    const w2 = tf.ones([2, 2]);
    expect(() => sn.apply(v)).toThrow('spectralNorm.apply: kernel must have rank >= 2, got shape [3]');
    expect(() => sn.apply(w, {training: 'yes'} as never)).toThrow("spectralNorm.apply: training must be a boolean, got \"yes\"");
    tf.dispose(sn.apply(w));
    expect(() => sn.apply(w2)).toThrow('spectralNorm.apply: kernel must match the state (v [3], u [2]), got shape [2,2] (as [2,2])');
    expect(() => sn.setState({u: w, v} as never)).toThrow('spectralNorm.setState: state must be {u, v} with 1-D float32 tensors');
    sn.dispose();
    expect(() => sn.apply(w)).toThrow('spectralNorm.apply: this spectral normaliser was disposed');
    tf.dispose([v, w, w2]);
  });
});
