// Property-based bad-input tests (fast-check) for every public function of the package: hostile
// arguments give a clear error (`fn: param …`) or a correct result, never a silently wrong one,
// and no tensor leaks either way. cpu backend: these check argument handling, not numerics.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {clearOrCorrect, hostileNumber, hostileValue} from '@stable-train/testing';
import {
  calculateGain, computeFans, constant, deltaOrthogonal, dirac, fixupScale, glorotNormal, glorotUniform,
  heNormal, heUniform, identity, type Initializer, INITIALIZER_NAMES, lecunNormal, lecunUniform, lsuv,
  normal, ones, orthogonal, resolveInitializer, sparse, truncatedNormal, uniform, varianceScaling, zeros,
} from './index';

const RUNS = 60;
const OPT_KEYS = ['gain', 'scale', 'mode', 'distribution', 'nonlinearity', 'negativeSlope', 'mean', 'std', 'min', 'max', 'a', 'b', 'groups', 'sparsity', 'value'];
const optsArb = fc.oneof(fc.constant(undefined), hostileValue, fc.dictionary(fc.constantFrom(...OPT_KEYS), fc.oneof(hostileValue, fc.double({min: -3, max: 3, noNaN: true}), fc.constantFrom('fan_in', 'fan_out', 'fan_avg', 'normal', 'uniform', 'relu', 'tanh')), {maxKeys: 3}));
/** Shapes: small good ones, and hostile ones (empty, zero/negative/fractional/NaN/huge dims, wrong types). */
const dim = fc.integer({min: 1, max: 5});
const shapeArb = fc.oneof(
  fc.array(dim, {minLength: 1, maxLength: 4}),
  fc.array(fc.oneof(dim, fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, 2 ** 40, '3', null)), {maxLength: 4}),
  fc.constant([100000, 100000, 100000]),
  hostileValue,
);
const callOptsArb = fc.oneof(fc.constant(undefined), hostileValue, fc.record({seed: fc.oneof(hostileNumber, fc.integer()), dtype: fc.oneof(fc.constantFrom('float32', 'int32', 'bool'), hostileValue)}, {requiredKeys: []}));

const FACTORIES: [string, (o: unknown) => Initializer][] = [
  ['glorotUniform', (o) => glorotUniform(o as never)], ['glorotNormal', (o) => glorotNormal(o as never)],
  ['heUniform', (o) => heUniform(o as never)], ['heNormal', (o) => heNormal(o as never)],
  ['lecunUniform', (o) => lecunUniform(o as never)], ['lecunNormal', (o) => lecunNormal(o as never)],
  ['varianceScaling', (o) => varianceScaling(o as never)], ['orthogonal', (o) => orthogonal(o as never)],
  ['deltaOrthogonal', (o) => deltaOrthogonal(o as never)], ['dirac', (o) => dirac(o as never)],
  ['identity', () => identity], ['uniform', (o) => uniform(o as never)], ['normal', (o) => normal(o as never)],
  ['truncatedNormal', (o) => truncatedNormal(o as never)], ['sparse', (o) => sparse(o as never)],
  ['constant', (o) => constant((o as {value?: number})?.value as number)], ['zeros', () => zeros], ['ones', () => ones],
];

/** A drawn tensor is right when it has the asked shape and dtype and only finite values within the stats' range. */
function rightTensor(init: Initializer, shape: unknown, callOpts: unknown) {
  return (r: unknown): boolean => {
    const t = r as tf.Tensor;
    const want = (callOpts as {dtype?: string} | undefined)?.dtype ?? 'float32';
    if (!(t instanceof tf.Tensor) || t.shape.join() !== (shape as number[]).join() || t.dtype !== want) return false;
    const v = Array.from(t.dataSync());
    if (!v.every(Number.isFinite)) return false;
    const st = init.stats(shape as number[]);
    if (!Number.isFinite(st.std) || !Number.isFinite(st.mean)) return false;
    return v.every((x) => (st.low === undefined || x >= Math.fround(st.low) - 1e-6 * Math.abs(st.low)) && (st.high === undefined || x <= Math.fround(st.high) + 1e-6 * Math.abs(st.high)));
  };
}

describe('initializers: hostile arguments give a clear error or a correct result, and never leak', () => {
  it.each(FACTORIES)('%s: factory options, shape and call options', (name, make) => {
    fc.assert(fc.property(optsArb, shapeArb, callOptsArb, (o, shape, callOpts) => {
      let init: Initializer | undefined;
      const r = clearOrCorrect(name, ['opts', 'options', 'value', ...OPT_KEYS], () => {
        init = make(o);
      }, {check: () => true});
      if (r === 'threw' || init === undefined) return;
      clearOrCorrect(name, ['shape', 'seed', 'dtype', 'options', 'out channels', 'groups', 'rank'], () => init!(shape as number[], callOpts as never), {check: rightTensor(init, shape, callOpts)});
      clearOrCorrect(name, ['shape', 'rank', 'groups'], () => init!.stats(shape as number[]), {check: (s) => Number.isFinite((s as {std: number}).std) && Number.isFinite((s as {mean: number}).mean)});
    }), {numRuns: RUNS});
  });

  it('numeric options one at a time (every edge number reaches every option)', () => {
    const numeric: [string, (v: unknown) => Initializer][] = [
      ['constant', (v) => constant(v as number)], ['uniform', (v) => uniform({min: -1, max: v as number})],
      ['uniform', (v) => uniform({min: v as number})], ['normal', (v) => normal({mean: v as number})], ['normal', (v) => normal({std: v as number})],
      ['truncatedNormal', (v) => truncatedNormal({std: v as number})], ['truncatedNormal', (v) => truncatedNormal({mean: v as number, a: -1e300, b: 1e300})],
      ['glorotUniform', (v) => glorotUniform({gain: v as number})], ['heNormal', (v) => heNormal({negativeSlope: v as number} as never)],
      ['varianceScaling', (v) => varianceScaling({scale: v as number})], ['orthogonal', (v) => orthogonal({gain: v as number})],
      ['sparse', (v) => sparse({sparsity: 0.5, std: v as number})],
    ];
    fc.assert(fc.property(fc.constantFrom(...numeric), hostileNumber, fc.constantFrom(undefined, 'int32'), ([name, make], v, dtype) => {
      let init: Initializer | undefined;
      if (clearOrCorrect(name, ['value', 'min', 'max', 'mean', 'std', 'gain', 'a', 'b', 'negativeSlope', 'scale', 'sparsity'], () => { init = make(v); }, {check: () => true}) === 'threw') return;
      const callOpts = dtype === undefined ? undefined : {dtype};
      clearOrCorrect(name, ['dtype', 'value', 'shape'], () => init!([3, 2], callOpts as never), {check: rightTensor(init!, [3, 2], callOpts)});
    }), {numRuns: RUNS * 3});
  });

  it('computeFans, calculateGain, fixupScale', () => {
    fc.assert(fc.property(shapeArb, (shape) => {
      clearOrCorrect('computeFans', ['shape'], () => computeFans(shape as number[]), {
        check: (f) => {
          const {fanIn, fanOut} = f as {fanIn: number; fanOut: number};
          return Number.isInteger(fanIn) && fanIn >= 1 && Number.isInteger(fanOut) && fanOut >= 1;
        },
      });
    }), {numRuns: RUNS});
    fc.assert(fc.property(fc.oneof(hostileValue, fc.constantFrom('relu', 'tanh', 'leaky_relu', 'selu', 'linear', 'sigmoid')), hostileNumber, (nl, p) => {
      clearOrCorrect('calculateGain', ['nonlinearity', 'param'], () => calculateGain(nl as never, p as number), {check: (g) => typeof g === 'number' && Number.isFinite(g) && g > 0});
    }), {numRuns: RUNS});
    fc.assert(fc.property(hostileNumber, hostileNumber, (a, b) => {
      clearOrCorrect('fixupScale', ['numBranches', 'layersPerBranch'], () => fixupScale(a as number, b as number), {
        check: (s) => s === Math.pow(a as number, -1 / (2 * (b as number) - 2)) && s > 0 && s <= 1,
      });
    }), {numRuns: RUNS});
  });

  it('resolveInitializer', () => {
    fc.assert(fc.property(fc.oneof(hostileValue, fc.constantFrom(...INITIALIZER_NAMES, 'constructor', '__proto__', 'toString')), optsArb, (n, o) => {
      clearOrCorrect('resolveInitializer', ['name', 'options', ...OPT_KEYS], () => resolveInitializer(n as string, o as never), {
        check: (f) => typeof f === 'function',
        // the options go to the resolved factory, whose own error names it
        prefixes: ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal', 'varianceScaling', 'orthogonal', 'deltaOrthogonal', 'dirac', 'identity', 'uniform', 'normal', 'truncatedNormal', 'sparse', 'constant', 'zeros', 'ones'],
      });
    }), {numRuns: RUNS * 2});
  });

  it('lsuv', async () => {
    const kernel = tf.variable(tf.ones([3, 2]), true, 'bad_input_lsuv_k');
    const good = [{kernel, forward: (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, kernel)}];
    await fc.assert(fc.asyncProperty(fc.oneof(fc.constant(good), hostileValue, fc.constant([{kernel: tf.ones([1])}])), fc.constantFrom<() => unknown>(() => tf.randomNormal([8, 3], 0, 1, 'float32', 1), () => tf.zeros([8, 3]), () => tf.tensor2d([[NaN, 1, 1]]), () => tf.ones([8, 3], 'int32'), () => null, () => [[1, 2, 3]]), fc.oneof(fc.constant(undefined), hostileValue, fc.record({tolerance: hostileNumber, maxIterations: hostileNumber, seed: hostileNumber, orthogonalInit: hostileValue}, {requiredKeys: []})), async (layers, mkBatch, opts) => {
      const batch = mkBatch();
      const before = tf.memory().numTensors;
      try {
        const r = await lsuv(layers as never, batch as tf.Tensor, opts as never);
        expect(r.variances.every((v) => Number.isFinite(v))).toBe(true);
        expect(Array.from(kernel.dataSync()).every(Number.isFinite)).toBe(true);
      } catch (e) {
        expect((e as Error).message).toMatch(/^lsuv: (layers|batch|options|tolerance|maxIterations|seed|orthogonalInit|output variance)/);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(batch as tf.Tensor);
    }), {numRuns: 30});
    kernel.dispose();
  });
});
