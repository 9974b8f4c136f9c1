// Property-based bad-input tests (fast-check) for every public function of the package: hostile
// arguments give a clear error (`fn: param …`) or a correct result, never a silently wrong one,
// and no tensor leaks either way. cpu backend: these check argument handling, not numerics.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {clearOrCorrect, hostileNumber, hostileValue} from '@stable-train/testing';
import {
  adaptiveClip, allFinite, AutoClip, chain, clipByBlockRms, clipByGlobalNorm, clipByNorm, clipByValue,
  clipPerParam, createClipper, globalNorm, RunningMedian, safeNorm, scaleVerdict, unitwiseNorm, upperMedian,
  withClipping, zeroNonFinite,
} from './index';

const RUNS = 60;
type Maker = () => unknown;
/** Gradient maps, good and hostile: the good ones are all float32 and finite. */
const GOOD: Maker[] = [
  () => ({a: tf.tensor1d([3, 4]), b: tf.tensor2d([[1, -2], [0.5, 0]])}),
  () => ({w: tf.scalar(-7)}),
  () => ({w: tf.zeros([0, 3]), v: tf.tensor1d([1e-3])}),
  () => ({}),
  () => ({w: tf.tensor1d([1e30, -1e30])}), // squares overflow float32
];
const BAD: Maker[] = [
  () => ({a: tf.tensor1d([3, 4], 'int32')}),
  () => ({a: tf.tensor1d([1, 0], 'bool')}),
  () => ({a: tf.tensor1d([3, 4]), b: 5}),
  () => ({a: null}),
  () => [tf.tensor1d([3, 4])],
  () => tf.tensor1d([3, 4]),
  () => null,
  () => undefined,
  () => 'grads',
  () => 3,
];
const NONFINITE: Maker[] = [() => ({a: tf.tensor1d([NaN, 1])}), () => ({a: tf.tensor1d([Infinity, 1]), b: tf.ones([2])})];
const gradsArb = fc.constantFrom(...GOOD, ...BAD, ...NONFINITE);

const isMap = (m: unknown): m is tf.NamedTensorMap =>
  m !== null && typeof m === 'object' && !Array.isArray(m) && !(m instanceof tf.Tensor) &&
  Object.values(m).every((t) => t instanceof tf.Tensor);
const good = (m: unknown): m is tf.NamedTensorMap =>
  isMap(m) && Object.values(m).every((t) => t.dtype === 'float32' && Array.from(t.dataSync()).every(Number.isFinite));
const flat = (m: tf.NamedTensorMap): number[] => Object.values(m).flatMap((t) => Array.from(t.dataSync()));
const norm64 = (m: tf.NamedTensorMap): number => Math.sqrt(flat(m).reduce((s, v) => s + v * v, 0));
const sameShapes = (a: tf.NamedTensorMap, b: tf.NamedTensorMap): boolean =>
  Object.keys(a).join() === Object.keys(b).join() && Object.keys(a).every((k) => a[k].shape.join() === b[k].shape.join() && a[k].dtype === b[k].dtype);
/** Whether Σ g² overflows float32 (the documented, PyTorch-like Infinity norm). */
const overflows = (m: tf.NamedTensorMap): boolean => flat(m).reduce((s, v) => s + v * v, 0) > 3.4e38;
const posNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Runs `body(input)` on a made input, then frees the input. */
function withInput<T>(make: Maker, body: (x: unknown) => T): T {
  const x = make();
  try {
    return body(x);
  } finally {
    tf.dispose(x as tf.TensorContainer);
  }
}

/** A good map's clipped result: same names/shapes/dtype, finite, every value scaled by c ∈ [0, 1]. */
function scaledDown(input: tf.NamedTensorMap, out: tf.NamedTensorMap, bound?: number): boolean {
  if (!sameShapes(input, out)) return false;
  const a = flat(input);
  const b = flat(out);
  if (!b.every(Number.isFinite)) return false;
  if (!b.every((v, i) => Math.abs(v) <= Math.abs(a[i]) * (1 + 1e-6) && (v === 0 || Math.sign(v) === Math.sign(a[i])))) return false;
  // (+1e-44: a tiny bound scales the gradients into float32's subnormals, where each entry is
  // rounded to a multiple of 1.4e-45, so the clipped norm can exceed the bound by a few of those)
  return bound === undefined || Math.sqrt(b.reduce((s, v) => s + v * v, 0)) <= bound * (1 + 1e-5) + 1e-44 || !Number.isFinite(norm64(input));
}

describe('grad-clip: hostile arguments give a clear error or a correct result, and never leak', () => {
  it('clipByGlobalNorm', () => {
    fc.assert(fc.property(gradsArb, fc.oneof(hostileNumber, fc.double({min: 1e-3, max: 10})), fc.oneof(fc.constant(undefined), fc.record({normType: hostileValue}, {requiredKeys: []}), fc.record({eps: hostileNumber}, {requiredKeys: []}), hostileValue), (mk, maxNorm, opts) => {
      withInput(mk, (g) => clearOrCorrect('clipByGlobalNorm', ['grads', 'maxNorm', 'options', 'normType', 'eps'], () => clipByGlobalNorm(g as tf.NamedTensorMap, maxNorm as number, opts as never), {
        check: (r) => {
          const {grads, norm} = r as {grads: tf.NamedTensorMap; norm: tf.Scalar};
          if (!good(g)) return isMap(grads) && sameShapes(g as tf.NamedTensorMap, grads);
          const n = norm.dataSync()[0];
          const p2 = opts === undefined || (opts as {normType?: unknown}).normType === undefined || (opts as {normType?: unknown}).normType === 2;
          // documented (as PyTorch): the float32 L2 norm overflows to Infinity past ~1.8e19
          if (p2 && !(overflows(g) && n === Infinity) && Math.abs(n - norm64(g)) > 1e-4 * norm64(g) + 1e-6) return false;
          return scaledDown(g, grads, p2 ? (maxNorm as number) : undefined);
        },
      }));
    }), {numRuns: RUNS * 2});
  });

  it.each([
    ['clipByNorm', (g: tf.NamedTensorMap, v: unknown) => clipByNorm(g, v as number), ['grads', 'maxNorm']],
    ['clipPerParam', (g: tf.NamedTensorMap, v: unknown) => clipPerParam(g, v as number), ['grads', 'maxNorm']],
    ['clipByBlockRms', (g: tf.NamedTensorMap, v: unknown) => clipByBlockRms(g, v as number), ['grads', 'threshold']],
  ] as const)('%s', (name, f, params) => {
    fc.assert(fc.property(gradsArb, fc.oneof(hostileNumber, fc.double({min: 1e-3, max: 10})), (mk, v) => {
      withInput(mk, (g) => clearOrCorrect(name, params, () => f(g as tf.NamedTensorMap, v), {
        check: (r) => (good(g) ? posNum(v) && scaledDown(g, r as tf.NamedTensorMap) : isMap(r) && sameShapes(g as tf.NamedTensorMap, r as tf.NamedTensorMap)),
      }));
    }), {numRuns: RUNS});
  });

  it('clipByValue', () => {
    const clipArb = fc.oneof(hostileNumber, fc.record({min: hostileNumber, max: hostileNumber}), fc.record({min: fc.double({min: -5, max: 0}), max: fc.double({min: 0, max: 5})}));
    fc.assert(fc.property(gradsArb, clipArb, (mk, cv) => {
      withInput(mk, (g) => clearOrCorrect('clipByValue', ['grads', 'clipValue'], () => clipByValue(g as tf.NamedTensorMap, cv as number), {
        check: (r) => {
          if (!good(g)) return isMap(r);
          const [lo, hi] = typeof cv === 'number' ? [-cv, cv] : [(cv as {min: number}).min, (cv as {max: number}).max];
          const a = flat(g);
          return sameShapes(g, r as tf.NamedTensorMap) && flat(r as tf.NamedTensorMap).every((v, i) => v === Math.fround(Math.min(hi, Math.max(lo, a[i]))));
        },
      }));
    }), {numRuns: RUNS});
  });

  it.each([
    ['globalNorm', (g: unknown, v: unknown) => globalNorm(g as tf.NamedTensorMap, v as number), ['grads', 'normType']],
    ['allFinite', (g: unknown) => allFinite(g as tf.NamedTensorMap), ['grads']],
    ['zeroNonFinite', (g: unknown) => zeroNonFinite(g as tf.NamedTensorMap), ['grads']],
  ] as const)('%s', (name, f, params) => {
    fc.assert(fc.property(gradsArb, fc.oneof(fc.constantFrom(1, 2, 'inf', 3, undefined), hostileValue), (mk, v) => {
      withInput(mk, (g) => clearOrCorrect(name, params, () => f(g, v), {
        check: (r) => {
          if (name === 'globalNorm') {
            const n = (r as tf.Scalar).dataSync()[0];
            return !good(g) || (v !== 2 && v !== undefined) || Math.abs(n - norm64(g)) <= 1e-4 * norm64(g) + 1e-6 || (overflows(g) && n === Infinity);
          }
          if (name === 'allFinite') return (r as tf.Scalar).dataSync()[0] === (isMap(g) && Object.values(g).every((t) => Array.from(t.dataSync()).every(Number.isFinite)) ? 1 : 0);
          return isMap(r) && flat(r).every(Number.isFinite);
        },
      }));
    }), {numRuns: RUNS});
  });

  it('adaptiveClip', () => {
    const paramsArb = fc.constantFrom<Maker>(() => ({a: tf.tensor1d([1, 1]), b: tf.ones([2, 2])}), () => ({a: tf.ones([3])}), () => ({}), ...BAD);
    fc.assert(fc.property(gradsArb, paramsArb, fc.oneof(fc.constant(undefined), fc.record({clipFactor: hostileNumber, eps: hostileNumber, normType: hostileValue, exclude: hostileValue}, {requiredKeys: []}), hostileValue), (mg, mp, opts) => {
      withInput(mg, (g) => withInput(mp, (p) => clearOrCorrect('adaptiveClip', ['grads', 'params', 'options', 'clipFactor', 'eps', 'normType', 'exclude'], () => adaptiveClip(g as tf.NamedTensorMap, p as tf.NamedTensorMap, opts as never), {
        check: (r) => isMap(r) && (!good(g) || scaledDown(g, r)),
      })));
    }), {numRuns: RUNS * 2});
  });

  it('unitwiseNorm and safeNorm', () => {
    const tArb = fc.constantFrom<Maker>(() => tf.ones([2, 3]), () => tf.tensor1d([3, 4], 'int32'), () => tf.tensor1d([1, 0], 'bool'), () => tf.zeros([0]), () => tf.scalar(-2), () => tf.tensor1d([1e30, 1e30]), () => null, () => [1, 2], () => 'x');
    fc.assert(fc.property(tArb, fc.oneof(fc.constantFrom(1, 2, 'inf'), hostileValue), (mk, p) => {
      withInput(mk, (t) => {
        clearOrCorrect('unitwiseNorm', ['t', 'normType'], () => unitwiseNorm(t as tf.Tensor, p as 2), {
          check: (r) => (r as tf.Tensor).dtype === 'float32' && (!(t instanceof tf.Tensor) || t.dtype === 'float32' || allFiniteDeepNums(r as tf.Tensor)),
        });
        clearOrCorrect('safeNorm', ['t'], () => safeNorm(t as tf.Tensor), {
          check: (r) => {
            const n = (r as tf.Scalar).dataSync()[0];
            const x = Array.from((t as tf.Tensor).dataSync()).map(Number);
            const want = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0) * Math.sqrt(x.reduce((s, v) => s + (v / (x.reduce((m, u) => Math.max(m, Math.abs(u)), 0) || 1)) ** 2, 0));
            return Math.abs(n - want) <= 1e-5 * want + 1e-6;
          },
        });
      });
    }), {numRuns: RUNS});
  });

  it('upperMedian and scaleVerdict', () => {
    fc.assert(fc.property(fc.oneof(fc.array(fc.double()), hostileValue), (a) => {
      clearOrCorrect('upperMedian', ['a'], () => upperMedian(a as number[]), {
        check: (r) => (Array.isArray(a) && a.length === 0 ? Number.isNaN(r) : typeof r === 'number' && (a as number[]).includes(r as number)),
      });
    }), {numRuns: RUNS});
    const layer = fc.record({name: fc.string(), gradNormInit: hostileNumber, gradNormMedian: hostileNumber, weightNorm: hostileNumber});
    const mArb = fc.oneof(hostileValue, fc.record({layers: fc.oneof(fc.array(layer, {maxLength: 3}), hostileValue), globals: fc.oneof(fc.array(hostileNumber, {maxLength: 3}), hostileValue), activationNorms: fc.oneof(fc.array(hostileNumber, {maxLength: 3}), hostileValue), loss: hostileNumber, chanceLoss: hostileNumber}, {requiredKeys: []}));
    fc.assert(fc.property(mArb, (m) => {
      clearOrCorrect('scaleVerdict', ['m', 'measurements', 'layers', 'globals', 'activationNorms', 'loss', 'chanceLoss', 'gradNormInit', 'gradNormMedian', 'weightNorm', 'name'], () => scaleVerdict(m as never), {
        check: (r) => typeof (r as {verdict: unknown}).verdict === 'string' && ['exploding', 'vanishing', 'non-finite', 'healthy'].includes((r as {status: string}).status),
      });
    }), {numRuns: RUNS * 2});
  });

  it('AutoClip', () => {
    const optsArb = fc.oneof(fc.constant(undefined), fc.record({percentile: hostileNumber, historySize: hostileNumber, eps: hostileNumber, normType: hostileValue}, {requiredKeys: []}), hostileValue);
    fc.assert(fc.property(optsArb, gradsArb, fc.oneof(hostileValue, fc.record({history: fc.oneof(fc.array(hostileNumber, {maxLength: 3}), hostileValue), count: hostileNumber})), (opts, mk, state) => {
      let ac: AutoClip | undefined;
      if (clearOrCorrect('AutoClip', ['options', 'percentile', 'historySize', 'eps', 'normType'], () => new AutoClip(opts as never), {check: (r) => r instanceof AutoClip, allowed: 2}) === 'ok') {
        const before = tf.memory().numTensors;
        ac = new AutoClip(opts as never);
        withInput(mk, (g) => clearOrCorrect('AutoClip.clip', ['grads'], () => ac!.clip(g as tf.NamedTensorMap), {check: (r) => !good(g) || scaledDown(g, (r as {grads: tf.NamedTensorMap}).grads)}));
        clearOrCorrect('AutoClip.setState', ['state', 'options', 'history', 'count'], () => ac!.setState(state as never), {check: () => true});
        ac.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
    }), {numRuns: RUNS});
  });

  it('RunningMedian', () => {
    fc.assert(fc.property(hostileNumber, fc.array(hostileValue, {maxLength: 5}), hostileNumber, hostileNumber, fc.oneof(hostileValue, fc.array(hostileNumber, {maxLength: 4})), (w, pushes, factor, warmup, state) => {
      if (clearOrCorrect('RunningMedian', ['window'], () => new RunningMedian(w as number), {check: () => true}) === 'ok') {
        const rm = new RunningMedian(w as number);
        for (const v of pushes) clearOrCorrect('RunningMedian.push', ['v'], () => rm.push(v as number), {check: () => true});
        clearOrCorrect('RunningMedian.isSpike', ['v', 'factor', 'warmup'], () => rm.isSpike(1, factor as number, warmup as number), {check: (r) => typeof r === 'boolean'});
        clearOrCorrect('RunningMedian.setState', ['values'], () => rm.setState(state as number[]), {check: () => true});
        const m = rm.median();
        expect(rm.count === 0 ? Number.isNaN(m) : Number.isFinite(m)).toBe(true);
      }
    }), {numRuns: RUNS});
  });

  it('chain, createClipper and withClipping reject bad builders at once', () => {
    fc.assert(fc.property(fc.array(fc.oneof(hostileValue, fc.constant((g: tf.NamedTensorMap) => g)), {maxLength: 3}), (ts) => {
      clearOrCorrect('chain', ['transforms'], () => chain(...(ts as never[])), {check: (r) => typeof r === 'function'});
    }), {numRuns: RUNS});
    const cfgArb = fc.oneof(hostileValue, fc.record({mode: fc.oneof(fc.constantFrom('value', 'norm', 'globalNorm', 'perParam', 'blockRms', 'agc', 'auto'), hostileValue), maxNorm: hostileNumber, clipValue: hostileNumber, threshold: hostileNumber, clipFactor: hostileNumber, percentile: hostileNumber, normType: hostileValue}, {requiredKeys: ['mode']}));
    fc.assert(fc.property(cfgArb, (cfg) => {
      clearOrCorrect('createClipper', ['config', 'mode', 'maxNorm', 'clipValue', 'threshold', 'clipFactor', 'percentile', 'normType', 'option', 'min', 'max', 'historySize'], () => {
        const t = createClipper(cfg as never);
        (t as {dispose?: () => void}).dispose?.();
        return t;
      }, {check: (r) => typeof r === 'function'});
    }), {numRuns: RUNS * 2});
    fc.assert(fc.property(hostileValue, fc.oneof(hostileValue, fc.constant((g: tf.NamedTensorMap) => g)), (opt, t) => {
      clearOrCorrect('withClipping', ['optimizer', 'transform'], () => withClipping(opt as tf.Optimizer, t as never), {check: () => false});
    }), {numRuns: RUNS});
  });
});

function allFiniteDeepNums(t: tf.Tensor): boolean {
  return Array.from(t.dataSync()).every(Number.isFinite);
}
