// Property-based bad-input tests (fast-check) for every public function of the package: hostile
// arguments give a clear error (`fn: param …`) or a correct result, never a silently wrong one,
// and no tensor leaks either way. cpu backend: these check argument handling, not numerics.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {clearOrCorrect, hostileNumber, hostileValue} from '@stable-train/testing';
import {
  decoupledWeightDecay, excludeNormAndBias, globToRegExp, isNormOrBias, l1, l1l2, l2, maxNorm, minMaxNorm, nonNeg,
  orthogonalPenalty, selectParams, smoothLabels, spectralNorm, unitNorm, weightNorm, weightNormKernel,
} from './index';

const RUNS = 50;
type Maker = () => unknown;
const GOOD_PARAMS: Maker[] = [
  () => ({'dense/kernel': tf.tensor2d([[1, -2], [3, 0.5]]), 'dense/bias': tf.tensor1d([0.1, -0.1])}),
  () => ({'conv/kernel': tf.ones([3, 3, 2, 4])}),
  () => ({}),
];
const BAD_PARAMS: Maker[] = [
  () => ({'dense/kernel': tf.ones([2, 2], 'int32')}), () => ({'dense/kernel': tf.ones([2, 2], 'bool')}),
  () => ({'dense/kernel': tf.tensor2d([[NaN, 1], [1, 1]])}), () => ({'dense/kernel': tf.scalar(3)}), () => ({w: tf.zeros([0, 2])}),
  () => ({w: 3}), () => ({w: null}), () => [tf.ones([2])], () => tf.ones([2]), () => null, () => undefined, () => 'p',
];
const paramsArb = fc.constantFrom(...GOOD_PARAMS, ...BAD_PARAMS);
const maskArb = fc.oneof(fc.constant(undefined), hostileValue, fc.constant(excludeNormAndBias), fc.record({include: fc.oneof(fc.constantFrom('dense/*', '**', '', 'nomatch/**'), hostileValue), exclude: fc.oneof(fc.constantFrom('**/bias'), fc.constant((n: string) => n.length), hostileValue)}, {requiredKeys: []}));

const isMap = (m: unknown): m is tf.NamedTensorMap =>
  m !== null && typeof m === 'object' && !Array.isArray(m) && !(m instanceof tf.Tensor) && Object.values(m).every((t) => t instanceof tf.Tensor);
const finiteMap = (m: unknown): boolean => isMap(m) && Object.values(m).every((t) => t.dtype !== 'string' && Array.from(t.dataSync()).every(Number.isFinite));
const flatF64 = (m: tf.NamedTensorMap, names: string[]): number[] => names.flatMap((n) => Array.from(m[n].dataSync()));

function withInput(make: Maker, body: (x: unknown) => void): void {
  const x = make();
  try {
    body(x);
  } finally {
    tf.dispose(x as tf.TensorContainer);
  }
}

describe('regularizers: hostile arguments give a clear error or a correct result, and never leak', () => {
  it('l1, l2, l1l2, orthogonalPenalty: the penalty value (checked against the formula)', () => {
    fc.assert(fc.property(fc.oneof(hostileNumber, fc.double({min: 0, max: 2, noNaN: true})), maskArb, paramsArb, (scale, mask, mk) => {
      const cases: [string, () => (p: tf.NamedTensorMap) => tf.Scalar, (v: number[]) => number][] = [
        ['l1', () => l1(scale as number, {mask} as never), (v) => (scale as number) * v.reduce((a, x) => a + Math.abs(x), 0)],
        ['l2', () => l2(scale as number, {mask} as never), (v) => (scale as number) * v.reduce((a, x) => a + x * x, 0)],
        ['l1l2', () => l1l2({l1: scale as number, l2: scale as number, mask} as never), (v) => (scale as number) * v.reduce((a, x) => a + Math.abs(x) + x * x, 0)],
        ['orthogonalPenalty', () => orthogonalPenalty({factor: scale as number, mask} as never), () => NaN],
      ];
      for (const [name, make, formula] of cases) {
        let pen: ((p: tf.NamedTensorMap) => tf.Scalar) | undefined;
        if (clearOrCorrect(name, ['scale', 'l1', 'l2', 'factor', 'opts', 'mask', 'include', 'exclude'], () => {
          pen = make();
        }, {check: () => true}) === 'threw') continue;
        withInput(mk, (p) => {
          clearOrCorrect(name, ['params', 'include', 'exclude', 'glob', 'mask', 'predicate', 'rank', 'parameter'], () => pen!(p as tf.NamedTensorMap), {
            check: (r) => {
              const v = (r as tf.Scalar).dataSync()[0];
              if (!(r instanceof tf.Tensor) || r.rank !== 0 || r.dtype !== 'float32') return false;
              if (!finiteMap(p)) return true; // NaN in, NaN out
              if ((scale as number) > 1e30) return v >= 0; // an absurd scale may overflow float32 to Infinity
              if (!Number.isFinite(v) || v < 0) return false;
              const names = selectParams(p as tf.NamedTensorMap, mask as never, name);
              const want = formula(flatF64(p as tf.NamedTensorMap, names));
              return Number.isNaN(want) || Math.abs(v - want) <= 1e-5 * (1 + want);
            },
          });
        });
      }
    }), {numRuns: RUNS});
  });

  it('selectParams, globToRegExp, isNormOrBias', () => {
    fc.assert(fc.property(paramsArb, maskArb, fc.oneof(hostileValue, fc.string({maxLength: 6})), (mk, mask, glob) => {
      withInput(mk, (p) => {
        clearOrCorrect('selectParams', ['params', 'mask', 'include', 'exclude', 'glob', 'predicate'], () => selectParams(p as never, mask as never), {
          check: (r) => Array.isArray(r) && (r as string[]).every((n) => Object.prototype.hasOwnProperty.call(p, n)),
        });
        clearOrCorrect('globToRegExp', ['glob'], () => globToRegExp(glob as string), {check: (r) => r instanceof RegExp});
        clearOrCorrect('isNormOrBias', ['name', 'tensor'], () => isNormOrBias(glob as string, (isMap(p) ? Object.values(p)[0] : p) as tf.Tensor), {check: (r) => typeof r === 'boolean'});
      });
    }), {numRuns: RUNS});
  });

  it('maxNorm, unitNorm, nonNeg, minMaxNorm: constrain and apply', () => {
    const optsArb = fc.oneof(fc.constant(undefined), hostileValue, fc.record({maxValue: hostileNumber, axis: fc.oneof(fc.constantFrom(0, 1, -1, [0, 1], [5], [0, 0]), hostileValue), min: hostileNumber, max: hostileNumber, rate: hostileNumber}, {requiredKeys: []}));
    const wArb = fc.constantFrom<Maker>(() => tf.tensor2d([[3, 4], [0, 1e-3]]), () => tf.ones([2, 2], 'int32'), () => tf.tensor1d([NaN, 1]), () => tf.scalar(2), () => tf.zeros([0, 2]), () => null, () => [1, 2], () => tf.tensor2d([[1e30, 1e30], [1, 1]]));
    const kinds: [string, (o: unknown) => ReturnType<typeof nonNeg>, string[]][] = [
      ['maxNorm', (o) => maxNorm(o as never), ['maxValue', 'axis']], ['unitNorm', (o) => unitNorm(o as never), ['axis']],
      ['nonNeg', () => nonNeg(), []], ['minMaxNorm', (o) => minMaxNorm(o as never), ['min', 'max', 'rate', 'axis']],
    ];
    fc.assert(fc.property(fc.constantFrom(...kinds), optsArb, wArb, (kind, o, mk) => {
      const [name, make, keys] = kind;
      const opts = o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k))) : o;
      let c: ReturnType<typeof nonNeg> | undefined;
      if (clearOrCorrect(name, [...keys, 'opts', 'option'], () => {
        c = make(opts);
      }, {check: () => true}) === 'threw') return;
      withInput(mk, (w) => {
        clearOrCorrect(name, ['w', 'axis'], () => c!.constrain(w as tf.Tensor), {
          check: (r) => {
            const t = r as tf.Tensor;
            if (!(w instanceof tf.Tensor) || t.shape.join() !== w.shape.join()) return false;
            const out = Array.from(t.dataSync());
            const inFinite = Array.from(w.dataSync()).every(Number.isFinite);
            if (inFinite && !out.every(Number.isFinite)) return false;
            if (name === 'nonNeg') return out.every((x) => !(x < 0));
            return true;
          },
        });
        const v = w instanceof tf.Tensor && !w.isDisposed ? tf.variable(w, true, `bad_input_${name}_${Math.random()}`) : w;
        try {
          clearOrCorrect(`${name}.apply`, ['variables', 'axis', 'opts', 'mask'], () => c!.apply((v instanceof tf.Variable ? [v] : v) as never), {check: (r) => Array.isArray(r)});
        } finally {
          if (v instanceof tf.Variable) v.dispose();
        }
      });
    }), {numRuns: RUNS * 2});
  });

  it('decoupledWeightDecay', () => {
    fc.assert(fc.property(fc.oneof(hostileValue, fc.record({rate: fc.oneof(fc.double({min: 0, max: 1, noNaN: true}), hostileNumber), mask: maskArb}, {requiredKeys: ['rate']})), fc.oneof(hostileNumber, fc.double({min: 0, max: 1, noNaN: true})), fc.constantFrom<Maker>(() => 'var', () => 'int', () => null, () => [tf.ones([2])], () => 'named'), (o, lr, kind) => {
      let d: ReturnType<typeof decoupledWeightDecay> | undefined;
      if (clearOrCorrect('decoupledWeightDecay', ['opts', 'rate', 'mask', 'include', 'exclude'], () => {
        d = decoupledWeightDecay(o as never);
      }, {check: () => true}) === 'threw') return;
      const k = kind();
      const v = k === 'var' || k === 'named' ? tf.variable(tf.tensor2d([[1, -2], [3, 4]]), true, `bad_input_wd/${Math.random()}/kernel`) : k === 'int' ? tf.variable(tf.ones([2, 2], 'int32'), true) : k;
      try {
        clearOrCorrect('decoupledWeightDecay.apply', ['variables', 'lr', 'rate', 'mask', 'include', 'exclude', 'glob'], () => d!.apply((v instanceof tf.Variable ? (k === 'named' ? {[v.name]: v} : [v]) : v) as never, lr as number), {
          prefixes: ['decoupledWeightDecay'], // the mask was compiled (and names) by the factory
          check: (r) => {
            if (!(v instanceof tf.Variable) || v.dtype !== 'float32' || !(r as string[]).includes(v.name)) return true;
            // w ← w · (1 − lr·rate), as PyTorch's p.mul_(1 - lr*wd) (a factor < 0 flips signs there too)
            const f = 1 - (lr as number) * (o as {rate: number}).rate;
            // (a factor beyond float32's range overflows to ±Infinity on the device, as in PyTorch)
            return Array.from(v.dataSync()).every((x, i) => {
              const e = Math.fround([1, -2, 3, 4][i] * Math.fround(f));
              return x === e || Math.abs(x - e) <= 1e-5 * Math.abs(x) + 1e-7;
            });
          },
        });
      } finally {
        if (v instanceof tf.Variable) v.dispose();
        else tf.dispose(v as tf.TensorContainer);
      }
    }), {numRuns: RUNS});
  });

  it('smoothLabels', () => {
    const tArb = fc.constantFrom<Maker>(() => tf.tensor1d([0, 2, 1], 'int32'), () => tf.tensor1d([0, 5, -1], 'int32'), () => tf.tensor2d([[0, 1, 0], [1, 0, 0]]), () => tf.tensor1d([1, 0], 'bool'), () => tf.scalar(1), () => null, () => [0, 1]);
    fc.assert(fc.property(tArb, fc.oneof(hostileValue, fc.record({smoothing: fc.oneof(fc.constantFrom(0, 0.1, 1), hostileNumber), numClasses: fc.oneof(fc.constant(3), hostileNumber)}, {requiredKeys: ['smoothing']})), (mk, o) => {
      withInput(mk, (t) => {
        clearOrCorrect('smoothLabels', ['targets', 'opts', 'smoothing', 'numClasses', 'option'], () => smoothLabels(t as tf.Tensor, o as never), {
          check: (r) => {
            // every row is a distribution: values >= 0 that sum to 1 (an out-of-range class index is
            // not a distribution, it must be an error or a NaN row, never a row of ε/C)
            const y = r as tf.Tensor;
            const c = y.shape[y.rank - 1];
            const vals = Array.from(y.dataSync());
            for (let i = 0; i < vals.length; i += c) {
              const row = vals.slice(i, i + c);
              if (row.some(Number.isNaN)) continue;
              if (row.some((x) => x < 0) || Math.abs(row.reduce((a, x) => a + x, 0) - 1) > 1e-5) return false;
            }
            return true;
          },
        });
      });
    }), {numRuns: RUNS});
  });

  it('spectralNorm and weightNorm, weightNormKernel', () => {
    const kArb = fc.constantFrom<Maker>(() => tf.tensor2d([[1, 2], [3, 4]]), () => tf.ones([3, 3, 2, 4]), () => tf.ones([2, 2], 'int32'), () => tf.zeros([2, 2]), () => tf.ones([2]), () => tf.tensor2d([[NaN, 1], [1, 1]]), () => null);
    fc.assert(fc.property(fc.oneof(fc.constant(undefined), hostileValue, fc.record({iterations: hostileNumber, eps: hostileNumber, initIterations: hostileNumber, seed: hostileNumber}, {requiredKeys: []})), kArb, fc.oneof(fc.constant(undefined), hostileValue, fc.record({training: hostileValue})), (o, mk, applyOpts) => {
      let sn: ReturnType<typeof spectralNorm> | undefined;
      const before = tf.memory().numTensors;
      if (clearOrCorrect('spectralNorm', ['opts', 'iterations', 'eps', 'initIterations', 'seed', 'option'], () => {
        sn = spectralNorm(o as never);
      }, {check: () => true}) === 'threw') return;
      withInput(mk, (k) => {
        clearOrCorrect('spectralNorm.apply', ['kernel', 'opts', 'training', 'option'], () => sn!.apply(k as tf.Tensor, applyOpts as never), {
          allowed: 2, // u and v are made on first use
          check: (r) => (r as tf.Tensor).shape.join() === (k as tf.Tensor).shape.join() && (!finiteMap({k}) || Array.from((r as tf.Tensor).dataSync()).every(Number.isFinite) || Array.from((k as tf.Tensor).dataSync()).every((x) => x === 0)),
        });
      });
      sn!.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }), {numRuns: RUNS});
    fc.assert(fc.property(kArb, fc.oneof(fc.constant(undefined), hostileValue, fc.constantFrom(0, 1, -1, null, 5)), fc.oneof(fc.constant(undefined), fc.constantFrom('wn_bad', ''), hostileValue), (mk, axis, name) => {
      withInput(mk, (k) => {
        const before = tf.memory().numTensors;
        let wn: ReturnType<typeof weightNorm> | undefined;
        if (clearOrCorrect('weightNorm', ['opts', 'kernel', 'axis', 'name', 'option'], () => {
          wn = weightNorm({kernel: k, axis, name} as never);
        }, {check: () => true, allowed: 2}) === 'ok') {
          // variable names are global in tfjs: a second live one of this name must be a clear error
          if (typeof name === 'string') clearOrCorrect('weightNorm', ['name'], () => weightNorm({kernel: k, axis, name} as never), {check: () => false});
          clearOrCorrect(`weightNorm '${wn!.name}'`, ['kernel'], () => wn!.kernel(), {check: (r) => (r as tf.Tensor).shape.join() === (k as tf.Tensor).shape.join()});
          wn!.dispose();
        }
        expect(tf.memory().numTensors).toBe(before);
        clearOrCorrect('weightNormKernel', ['v', 'g', 'axis'], () => weightNormKernel(k as tf.Tensor, tf.ones([2]) as never, axis as never), {check: (r) => (r as tf.Tensor).shape.join() === (k as tf.Tensor).shape.join(), allowed: 1});
      });
    }), {numRuns: RUNS});
  });
});
