// Property-based bad-input tests (fast-check) for every public function of the package: hostile
// arguments give a clear error (`fn: param …`) or a correct result, never a silently wrong one,
// and no tensor leaks either way. cpu backend: these check argument handling, not numerics.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {clearOrCorrect, hostileNumber, hostileValue} from '@stable-train/testing';
import {
  BatchNorm, batchNormInference, batchNormMovingUpdate, batchNormTrain, BatchRenorm, batchRenormTrain,
  freezeBatchNorm, FrozenBatchNorm, GroupNorm, groupNorm, InstanceNorm, instanceNorm, LayerNorm, layerNorm,
  RMSNorm, rmsNorm, WeightStandardization, weightStandardization,
} from './index';

const RUNS = 50;
type Maker = () => unknown;
const C = 4;
/** Inputs: good ones (float32, finite, > 1 value per channel) and hostile ones. */
const GOOD_X: Maker[] = [
  () => tf.randomNormal([3, C], 0, 1, 'float32', 1),
  () => tf.randomNormal([2, 3, 3, C], 0, 1, 'float32', 2),
  () => tf.tensor2d([[1, 2, 3, 4], [1, 2, 3, 4]]), // zero variance
  () => tf.tidy(() => tf.mul(tf.randomNormal([3, C], 0, 1, 'float32', 3), 1e18)), // squares near float32's limit
];
const BAD_X: Maker[] = [
  () => tf.ones([3, C], 'int32'), () => tf.ones([3, C], 'bool'), () => tf.tensor2d([[NaN, 1, 2, 3], [1, 2, 3, 4]]),
  () => tf.ones([1, C]), () => tf.ones([C]), () => tf.scalar(1), () => tf.ones([3, 5]), () => tf.zeros([0, C]),
  () => tf.ones([3, 0]), () => null, () => undefined, () => [[1, 2, 3, 4]], () => 'x', () => {
    const t = tf.ones([3, C]);
    t.dispose();
    return t;
  },
];
const xArb = fc.constantFrom(...GOOD_X, ...BAD_X);
const vecArb = fc.constantFrom<Maker>(() => tf.ones([C]), () => null, () => tf.ones([C + 1]), () => tf.ones([C], 'int32'), () => tf.ones([1, C]), () => tf.scalar(1), () => 'g', () => [1, 1, 1, 1], () => tf.tensor1d([NaN, 1, 1, 1]), () => tf.tensor1d([-1, 1, 1, 1]));

const isGoodX = (x: unknown): x is tf.Tensor =>
  x instanceof tf.Tensor && !x.isDisposed && x.dtype === 'float32' && x.rank >= 2 && x.shape[x.rank - 1] === C && x.size > C &&
  Array.from(x.dataSync()).every(Number.isFinite);
const isGoodVec = (v: unknown): boolean =>
  v === null || (v instanceof tf.Tensor && !v.isDisposed && v.dtype === 'float32' && v.shape.join() === `${C}` && Array.from(v.dataSync()).every(Number.isFinite));
const posEps = (e: unknown): boolean => typeof e === 'number' && Number.isFinite(e) && e > 0;

/** Makes the inputs, runs the body, frees the inputs. */
function withInputs(makers: Maker[], body: (...xs: unknown[]) => void): void {
  const xs = makers.map((m) => m());
  try {
    body(...xs);
  } finally {
    tf.dispose(xs.filter((x) => x instanceof tf.Tensor && !x.isDisposed) as tf.Tensor[]);
  }
}

/** A normalised output: x's shape, float32, finite where every input was finite and good. */
const sameShapeFinite = (x: unknown, allGood: boolean) => (r: unknown): boolean => {
  const y = (r as {y?: tf.Tensor}).y ?? (r as tf.Tensor);
  if (!(y instanceof tf.Tensor) || !(x instanceof tf.Tensor) || y.shape.join() !== x.shape.join()) return false;
  if (y.dtype !== 'float32') return false;
  return !allGood || Array.from(y.dataSync()).every(Number.isFinite);
};

describe('batchnorm functional ops: clear error or correct result, no leak', () => {
  it('batchNormTrain, batchNormInference, layerNorm, rmsNorm, groupNorm, instanceNorm, weightStandardization', () => {
    fc.assert(fc.property(xArb, vecArb, vecArb, fc.oneof(hostileNumber, fc.constantFrom(1e-5, 1e-3)), fc.oneof(fc.constantFrom(1, 2, 4), hostileNumber), (mx, mg, mb, eps, groups) => {
      withInputs([mx, mg, mb], (x, g, b) => {
        const good = isGoodX(x) && isGoodVec(g) && isGoodVec(b) && posEps(eps);
        const params = ['x', 'gamma', 'beta', 'eps', 'groups', 'movingMean', 'movingVariance', 'kernel', 'normalizedShape'];
        const ok = sameShapeFinite(x, good);
        const cases: [string, () => unknown][] = [
          ['batchNormTrain', () => batchNormTrain(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, eps as number)],
          ['batchNormInference', () => batchNormInference(x as tf.Tensor, (g ?? tf.zeros([C])) as tf.Tensor, (b ?? tf.ones([C])) as tf.Tensor, g as tf.Tensor, b as tf.Tensor, eps as number)],
          ['layerNorm', () => layerNorm(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, eps as number)],
          ['rmsNorm', () => rmsNorm(x as tf.Tensor, g as tf.Tensor, eps as number)],
          ['groupNorm', () => groupNorm(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, groups as number, eps as number)],
          ['instanceNorm', () => instanceNorm(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor, eps as number)],
          ['weightStandardization', () => weightStandardization(x as tf.Tensor, eps as number)],
        ];
        for (const [name, call] of cases) {
          if (name === 'batchNormInference' && (g === null || b === null)) continue; // the fallback would be made outside
          // a negative moving variance (b here) gives NaN, as in PyTorch: checking it would read values back
          const negVar = name === 'batchNormInference' && b instanceof tf.Tensor && !b.isDisposed && Math.min(...Array.from(b.dataSync())) < 0;
          clearOrCorrect(name, params, call, {check: negVar ? () => true : ok});
        }
      });
    }), {numRuns: RUNS * 2});
  });

  it('batchNormTrain returns the biased batch statistics (checked in float64)', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.double({min: -100, max: 100, noNaN: true}), {minLength: C, maxLength: C}), {minLength: 2, maxLength: 6}), (rows) => {
      const x = tf.tensor2d(rows);
      const r = batchNormTrain(x, null, null);
      const mean = Array.from(r.mean.dataSync());
      const variance = Array.from(r.variance.dataSync());
      tf.dispose([x, r.y, r.mean, r.variance]);
      for (let c = 0; c < C; c++) {
        const col = rows.map((row) => Math.fround(row[c]));
        const m = col.reduce((a, v) => a + v, 0) / col.length;
        const v = col.reduce((a, u) => a + (u - m) ** 2, 0) / col.length;
        if (Math.abs(mean[c] - m) > 1e-4 * (1 + Math.abs(m)) || Math.abs(variance[c] - v) > 1e-3 * (1 + v)) return false;
      }
      return true;
    }), {numRuns: RUNS});
  });

  it('batchNormMovingUpdate and batchRenormTrain', () => {
    fc.assert(fc.property(vecArb, vecArb, fc.oneof(hostileNumber, fc.integer({min: 1, max: 10})), fc.oneof(hostileNumber, fc.double({min: 0, max: 1})), fc.oneof(hostileValue, fc.boolean()), (mm, mv, n, w, unbiased) => {
      withInputs([mm, mv, () => tf.ones([C]), () => tf.ones([C])], (movingMean, movingVariance, mean, variance) => {
        clearOrCorrect('batchNormMovingUpdate', ['movingMean', 'movingVariance', 'mean', 'variance', 'n', 'batchWeight', 'unbiased'], () => batchNormMovingUpdate(movingMean as tf.Tensor, movingVariance as tf.Tensor, mean as tf.Tensor, variance as tf.Tensor, n as number, w as number, unbiased as boolean), {
          check: (r) => {
            const {movingMean: m2, movingVariance: v2} = r as {movingMean: tf.Tensor; movingVariance: tf.Tensor};
            if (m2.shape.join() !== `${C}` || v2.shape.join() !== `${C}`) return false;
            // mean' = (1 - w)·mean + w·batchMean, checked on the first channel
            const m0 = (movingMean as tf.Tensor).dataSync()[0];
            return !Number.isFinite(m0) || Math.abs(m2.dataSync()[0] - ((1 - (w as number)) * m0 + (w as number) * 1)) < 1e-5 * (1 + Math.abs(m0));
          },
        });
      });
    }), {numRuns: RUNS});
    fc.assert(fc.property(xArb, vecArb, vecArb, hostileNumber, hostileNumber, fc.oneof(hostileNumber, fc.constant(1e-3)), (mx, mm, mv, rMax, dMax, eps) => {
      withInputs([mx, mm, mv], (x, movingMean, movingVariance) => {
        clearOrCorrect('batchRenormTrain', ['x', 'gamma', 'beta', 'movingMean', 'movingVariance', 'rMax', 'dMax', 'eps'], () => batchRenormTrain(x as tf.Tensor, null, null, movingMean as tf.Tensor, movingVariance as tf.Tensor, rMax as number, dMax as number, eps as number), {
          check: sameShapeFinite(x, isGoodX(x) && isGoodVec(movingMean) && isGoodVec(movingVariance) && movingMean !== null && movingVariance !== null && Math.min(...(movingVariance as tf.Tensor).dataSync()) >= 0),
        });
      });
    }), {numRuns: RUNS});
  });
});

describe('batchnorm modules: clear error or correct result, no leak', () => {
  const optsArb = fc.oneof(hostileValue, fc.record({
    channels: fc.oneof(fc.constant(C), hostileNumber), groups: fc.oneof(fc.constantFrom(1, 2), hostileNumber), eps: fc.oneof(fc.constant(1e-5), hostileNumber),
    momentum: fc.oneof(fc.constantFrom(0.1, null), hostileNumber), affine: fc.oneof(fc.boolean(), hostileValue), trackRunningStats: fc.oneof(fc.boolean(), hostileValue),
    convention: fc.oneof(fc.constantFrom('pytorch', 'keras'), hostileValue), normalizedShape: fc.oneof(fc.constantFrom(C, [C]), hostileValue),
    rMax: fc.oneof(fc.constant(3), hostileNumber), dMax: fc.oneof(fc.constant(5), hostileNumber), name: fc.oneof(fc.constant(undefined), fc.constantFrom('bn_bad', ''), hostileValue),
  }, {requiredKeys: []}));
  const KINDS: [string, (o: unknown) => {apply(x: tf.Tensor, o: unknown): tf.Tensor; dispose(): void; getState(): tf.NamedTensorMap; setState(s: unknown): void}][] = [
    ['BatchNorm', (o) => new BatchNorm(o as never)], ['BatchRenorm', (o) => new BatchRenorm(o as never)], ['LayerNorm', (o) => new LayerNorm(o as never)],
    ['GroupNorm', (o) => new GroupNorm(o as never)], ['RMSNorm', (o) => new RMSNorm(o as never)], ['InstanceNorm', (o) => new InstanceNorm(o as never)],
    ['FrozenBatchNorm', (o) => new FrozenBatchNorm(o as never)],
  ];
  const PARAMS = ['options', 'opts', 'channels', 'groups', 'eps', 'momentum', 'affine', 'trackRunningStats', 'convention', 'normalizedShape', 'rMax', 'dMax', 'name'];

  it.each(KINDS)('%s: options, apply, a second layer of the same name, setState', (kind, make) => {
    fc.assert(fc.property(optsArb, xArb, fc.oneof(fc.record({training: fc.boolean()}), hostileValue), fc.oneof(hostileValue, fc.constant('state')), (o, mx, applyOpts, state) => {
      let layer: ReturnType<typeof make> | undefined;
      const before = tf.memory().numTensors;
      if (clearOrCorrect(kind, PARAMS, () => {
        layer = make(o);
      }, {check: () => true, allowed: 8}) === 'threw') return;
      try {
        // variable names are global in tfjs: a second layer of the same name must be a clear error
        if (typeof (o as {name?: unknown})?.name === 'string' && (layer as unknown as {variables: unknown[]}).variables.length > 0) {
          clearOrCorrect(kind, ['name'], () => make(o), {check: () => false});
        }
        withInputs([mx], (x) => {
          const label = `${kind} '${(layer as unknown as {name: string}).name}'`;
          clearOrCorrect(label, ['x', 'training', 'opts', 'channels', 'normalizedShape', 'value per channel', 'groups'], () => layer!.apply(x as tf.Tensor, applyOpts), {
            check: sameShapeFinite(x, isGoodX(x)),
          });
          const st = state === 'state' ? layer!.getState() : state;
          try {
            clearOrCorrect(label, ['state', 'setState'], () => layer!.setState(st), {check: () => true});
          } finally {
            if (state === 'state') tf.dispose(st as tf.NamedTensorMap);
          }
        });
      } finally {
        layer!.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    }), {numRuns: RUNS});
  });

  it('freezeBatchNorm and WeightStandardization', () => {
    fc.assert(fc.property(fc.oneof(hostileValue, fc.constant('bn')), fc.oneof(fc.constant(undefined), hostileValue, fc.record({name: fc.oneof(fc.constantFrom('frozen_bad'), hostileValue), keepSource: fc.oneof(fc.boolean(), hostileValue)}, {requiredKeys: []})), (b, o) => {
      const before = tf.memory().numTensors;
      const bn = b === 'bn' ? new BatchNorm({channels: C}) : b;
      let frozen: FrozenBatchNorm | undefined;
      if (clearOrCorrect('freezeBatchNorm', ['bn', 'options', 'name', 'keepSource'], () => {
        frozen = freezeBatchNorm(bn as BatchNorm, o as never);
      }, {check: () => true, allowed: 4}) === 'ok') frozen!.dispose();
      if (bn instanceof BatchNorm) bn.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }), {numRuns: RUNS});
    fc.assert(fc.property(fc.oneof(fc.constant(undefined), hostileValue, fc.record({eps: hostileNumber})), xArb, fc.constantFrom<Maker>(() => tf.ones([3, 3, C, 2]), () => tf.ones([3, 3, 2]), () => null, () => tf.ones([3, 3, C, 2], 'int32')), (o, mx, mk) => {
      let ws: WeightStandardization | undefined;
      if (clearOrCorrect('WeightStandardization', ['opts', 'options', 'eps'], () => {
        ws = new WeightStandardization(o as never);
      }, {check: () => true}) === 'threw') return;
      withInputs([mx, mk], (x, k) => {
        clearOrCorrect('WeightStandardization.apply', ['kernel'], () => ws!.apply(k as tf.Tensor), {check: sameShapeFinite(k, true)});
        const x4 = x instanceof tf.Tensor && !x.isDisposed && x.rank === 4 ? x : x;
        clearOrCorrect('WeightStandardization.conv2d', ['x', 'kernel', 'strides', 'pad', 'dilations'], () => ws!.conv2d(x4 as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'), {
          check: (r) => (r as tf.Tensor).rank === 4 && (!isGoodX(x) || Array.from((r as tf.Tensor).dataSync()).every(Number.isFinite)),
        });
      });
    }), {numRuns: RUNS});
  });
});
