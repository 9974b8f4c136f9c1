import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {gradLists, toMap} from '../test/golden';
import {adaptiveClip} from './adaptive_clip';
import {chain} from './chain';
import {clipByGlobalNorm} from './clip_by_global_norm';
import {clipByNorm} from './clip_by_norm';
import {clipByValue} from './clip_by_value';
import {createClipper} from './create_clipper';
import {zeroNonFinite} from './zero_non_finite';

describeBackends(['cpu', 'wasm'], () => {
  const list = gradLists()[0];
  let grads: tf.NamedTensorMap;
  let params: tf.NamedTensorMap;
  beforeAll(() => {
    grads = toMap(list, 'grad');
    params = toMap(list, 'param');
  });
  afterAll(() => tf.dispose([grads, params]));

  const same = (a: tf.NamedTensorMap, b: tf.NamedTensorMap) => {
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) expectClose(a[k], b[k].dataSync(), {rtol: 0, atol: 0});
    tf.dispose([a, b]);
  };

  it('each mode does what the function does', () => {
    same(createClipper({mode: 'value', clipValue: 0.02})(grads), clipByValue(grads, 0.02));
    same(createClipper({mode: 'value', min: -0.01, max: 0.03})(grads), clipByValue(grads, {min: -0.01, max: 0.03}));
    same(createClipper({mode: 'norm', maxNorm: 0.1})(grads), clipByNorm(grads, 0.1));
    const ref = clipByGlobalNorm(grads, 0.1, {normType: 1});
    ref.norm.dispose();
    same(createClipper({mode: 'globalNorm', maxNorm: 0.1, normType: 1})(grads), ref.grads);
    same(createClipper({mode: 'agc', clipFactor: 0.05, exclude: ['conv/bias']})(grads, params), adaptiveClip(grads, params, {clipFactor: 0.05, exclude: ['conv/bias']}));
  });

  it("global_norm reuses the caller's norm (GradContext) only for the map it was measured on", async () => {
    const clip = createClipper({mode: 'globalNorm', maxNorm: 0.1});
    const ref = clipByGlobalNorm(grads, 0.1);
    // the true norm: the same result as measuring it, and the caller's scalar is not disposed
    same(clip(grads, undefined, {grads, globalNorm: ref.norm}), clipByGlobalNorm(grads, 0.1, {norm: ref.norm}).grads);
    expect(ref.norm.isDisposed).toBe(false);
    same(clip(grads, undefined, {grads, globalNorm: ref.norm}), ref.grads);
    // a (deliberately wrong) norm of 10x shows that it is used, not re-measured: coefficient
    // 0.1/(10‖g‖ + 1e-6) ≈ 0.01/(‖g‖ + 1e-6) up to the eps and float32 rounding
    const near = (a: tf.NamedTensorMap, b: tf.NamedTensorMap) => {
      for (const k of Object.keys(b)) expectClose(a[k], b[k].dataSync(), {rtol: 1e-4, atol: 1e-9});
      tf.dispose([a, b]);
    };
    const tenfold = tf.mul(ref.norm, 10) as tf.Scalar;
    const used = clip(grads, undefined, {grads, globalNorm: tenfold});
    const expected = clipByGlobalNorm(grads, 0.01);
    near(used, expected.grads);
    // another map (even with the same tensors) or another norm type: the ctx is ignored
    same(clip({...grads}, undefined, {grads, globalNorm: tenfold}), clipByGlobalNorm(grads, 0.1, {norm: ref.norm}).grads);
    const l1 = createClipper({mode: 'globalNorm', maxNorm: 0.1, normType: 1});
    const refL1 = clipByGlobalNorm(grads, 0.1, {normType: 1});
    same(l1(grads, undefined, {grads, globalNorm: tenfold}), refL1.grads);
    // chain hands the ctx to its parts
    const viaChain = clipByGlobalNorm(grads, 0.01);
    near(chain(createClipper({mode: 'globalNorm', maxNorm: 0.1}))(grads, undefined, {grads, globalNorm: tenfold}), viaChain.grads);
    viaChain.norm.dispose();
    await expectNoLeak(() => clip(grads, undefined, {grads, globalNorm: tenfold}));
    expect(tenfold.isDisposed).toBe(false);
    tf.dispose([ref.norm, tenfold, expected.norm, refL1.norm]);
  });

  it('with the norm already on the host (globalNormValue) gives bit-identical results without device arithmetic', async () => {
    const norm = clipByGlobalNorm(grads, 1).norm; // the device norm a loop measured
    const value = norm.dataSync()[0];
    // maxNorm below the norm (clips), at 10× and far above it (coefficient 1: clones), odd eps
    for (const [maxNorm, eps] of [[value / 7, 1e-6], [value * 10, 1e-6], [value * 1e6, 0], [value / 3, 0.37]]) {
      const clip = createClipper({mode: 'globalNorm', maxNorm, eps});
      const ctx = {grads, globalNorm: norm, globalNormValue: value};
      same(clip(grads, undefined, ctx), clip(grads, undefined, {grads, globalNorm: norm}));
      await expectNoLeak(() => clip(grads, undefined, ctx));
    }
    // a coefficient of 1 does no arithmetic (clones only)
    const clip = createClipper({mode: 'globalNorm', maxNorm: value * 10});
    const prof = await tf.profile(() => clip(grads, undefined, {grads, globalNorm: norm, globalNormValue: value}));
    expect(prof.kernelNames.filter((k) => k !== 'Identity')).toEqual([]);
    tf.dispose(prof.result as tf.NamedTensorMap);
    norm.dispose();
  });

  it('records its config for saving', () => {
    const c = createClipper({mode: 'globalNorm', maxNorm: 2});
    expect(c.config).toEqual([{mode: 'globalNorm', maxNorm: 2}]);
    const auto = createClipper({mode: 'auto', percentile: 20, historySize: 4});
    expect(auto.config).toEqual([{mode: 'auto', percentile: 20, historySize: 4}]);
    expect(auto.getWeights!().map((w) => w.name)).toEqual(['autoclip/history', 'autoclip/count']);
    auto.dispose!();
  });

  it('chain applies transforms in order, frees intermediates and keeps configs', async () => {
    const t = chain(createClipper({mode: 'value', clipValue: 0.02}), createClipper({mode: 'globalNorm', maxNorm: 0.01}));
    const v = clipByValue(grads, 0.02);
    const ref = clipByGlobalNorm(v, 0.01);
    same(t(grads), ref.grads);
    tf.dispose([v, ref.norm]);
    expect(t.config).toEqual([{mode: 'value', clipValue: 0.02}, {mode: 'globalNorm', maxNorm: 0.01}]);
    await expectNoLeak(() => t(grads));
    // a plain function in the chain makes it unsaveable (no config), but it still works
    const u = chain(zeroNonFinite, createClipper({mode: 'norm', maxNorm: 1}));
    expect(u.config).toBeUndefined();
    await expectNoLeak(() => u(grads));
    // identity parts: the caller still gets tensors it owns
    const id = chain((g) => g);
    const out = id(grads);
    expect(out['dense/kernel']).not.toBe(grads['dense/kernel']);
    tf.dispose(out);
  });

  it('chain routes state to stateful parts by position', async () => {
    const t = chain(createClipper({mode: 'norm', maxNorm: 1}), createClipper({mode: 'auto', historySize: 3}));
    tf.dispose(t(grads));
    const w = t.getWeights!();
    expect(w.map((x) => x.name)).toEqual(['1/autoclip/history', '1/autoclip/count']);
    const u = chain(createClipper({mode: 'norm', maxNorm: 1}), createClipper({mode: 'auto', historySize: 3}));
    await u.setWeights!(w);
    expectClose(u.getWeights!()[0].tensor, w[0].tensor.dataSync(), {rtol: 0, atol: 0});
    expectClose(u.getWeights!()[1].tensor, [1], {rtol: 0, atol: 0});
    t.dispose!();
    u.dispose!();
  });
});

describe('createClipper / chain errors', () => {
  it('rejects bad configs at creation', () => {
    expect(() => createClipper({mode: 'clip'} as never)).toThrow(
      `createClipper: mode must be one of 'value', 'norm', 'globalNorm', 'perParam', 'blockRms', 'agc', 'auto', got "clip"`,
    );
    expect(() => createClipper({mode: 'globalNorm', maxNorm: -1})).toThrow('createClipper: maxNorm must be a finite number > 0, got -1');
    expect(() => createClipper({mode: 'globalNorm', maxnorm: 1} as never)).toThrow(
      "createClipper: unknown option 'maxnorm' for mode 'globalNorm'; expected one of maxNorm, normType, eps, errorIfNonfinite",
    );
    expect(() => createClipper({mode: 'norm'} as never)).toThrow('createClipper: maxNorm must be a finite number > 0, got undefined');
    expect(() => createClipper({mode: 'value', clipValue: 1, min: 0} as never)).toThrow("createClipper: clipValue must be left out when min or max is given (mode 'value' takes one of them), got 1");
    expect(() => createClipper({mode: 'agc', exclude: 'head'} as never)).toThrow('createClipper: exclude must be an array of names, got "head"');
    expect(() => createClipper({mode: 'auto', percentile: 0})).toThrow('AutoClip: percentile must be a number in (0, 100], got 0');
    expect(() => createClipper(undefined as never)).toThrow('createClipper: config must be an object with a mode, got undefined');
    const g = {a: tf.ones([2])};
    expect(() => createClipper({mode: 'agc'})(g)).toThrow("createClipper: params must be passed to the 'agc' transform (grads, params), got undefined");
    tf.dispose(g);
    expect(() => chain()).toThrow('chain: transforms must contain at least one transform, got none');
    expect(() => chain(1 as never)).toThrow('chain: transforms[0] must be a function (grads, params?) => grads, got 1');
  });
});

describe('createClipper: old spellings', () => {
  it("accepts 'global_norm' with one deprecation warning and saves the new spelling", () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const c = createClipper({mode: 'global_norm', maxNorm: 2});
      createClipper({mode: 'global_norm', maxNorm: 3});
      expect(c.config).toEqual([{mode: 'globalNorm', maxNorm: 2}]);
      expect(warn.mock.calls.filter((a) => String(a[0]).includes("'global_norm' is deprecated"))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });
});
