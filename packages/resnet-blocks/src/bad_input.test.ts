// Property-based bad-input tests (fast-check) for every public function of the package: hostile
// arguments give a clear error (`fn: param …`) or a correct result, never a silently wrong one,
// and no tensor leaks either way. cpu backend: these check argument handling, not numerics.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import {clearOrCorrect, hostileNumber, hostileValue} from '@stable-train/testing';
import {
  bottleneck, bottleneckSpec, dropPath, heUniform, layerScale, layerScaleResidual, linearDropRate, preActBlock,
  preActBottleneck, residualBlockApply, residualBlockWeights, residualCnn, residualConv, residualConvSpec,
  residualDense, residualDenseSpec, residualMlp, resolveActivation, squeezeExcite, squeezeExciteApply, stack, zerosInit,
} from './index';

const RUNS = 40;
type Maker = () => unknown;
let uid = 0;
const fresh = (): string => `bi${uid++}`;

function withInput(make: Maker, body: (x: unknown) => void): void {
  const x = make();
  try {
    body(x);
  } finally {
    tf.dispose(x as tf.TensorContainer);
  }
}
const absurd = (o: unknown): boolean => JSON.stringify(o ?? null, (_k, v) => v).match(/e\+(3\d)/) !== null;
const finite = (t: unknown): boolean => t instanceof tf.Tensor && Array.from(t.dataSync()).every(Number.isFinite);

const OPT_KEYS = ['units', 'hidden', 'inputUnits', 'filters', 'inChannels', 'stride', 'expansion', 'depth', 'width', 'stages', 'block', 'activation', 'gate', 'fixup', 'useBias', 'preAct', 'dropPath', 'layerScale', 'squeezeExcite', 'norm', 'kernelInit', 'biasInit', 'name', 'options'];
const GOOD: Record<string, Record<string, unknown>> = {
  residualDense: {units: 4}, residualConv: {filters: 4, inChannels: 4}, bottleneck: {filters: 2, inChannels: 8},
  preActBlock: {filters: 4, inChannels: 4}, preActBottleneck: {filters: 2, inChannels: 8},
  residualMlp: {depth: 2, width: 4}, residualCnn: {inChannels: 3, stages: [{filters: 4, blocks: 1}]},
};
const HOSTILE_OPTS: Record<string, fc.Arbitrary<unknown>> = {
  units: hostileNumber, hidden: hostileNumber, inputUnits: hostileNumber, filters: hostileNumber, inChannels: hostileNumber,
  stride: hostileNumber, expansion: hostileNumber, depth: hostileNumber, width: hostileNumber,
  stages: fc.oneof(hostileValue, fc.constant([{filters: 4, blocks: 0}]), fc.constant([{filters: 4, blocks: 1, stride: 0}]), fc.constant([null])),
  block: fc.oneof(hostileValue, fc.constantFrom('basic', 'bottleneck')), activation: fc.oneof(hostileValue, fc.constantFrom('relu', 'swish', 'nope', 'constructor')),
  gate: fc.oneof(hostileValue, fc.constantFrom('rezero', 'skipinit', 'none'), fc.record({init: hostileNumber})),
  fixup: fc.oneof(hostileValue, fc.boolean(), fc.record({numBlocks: hostileNumber})), useBias: hostileValue, preAct: hostileValue,
  dropPath: hostileNumber, layerScale: hostileNumber, squeezeExcite: hostileNumber,
  norm: fc.oneof(hostileValue, fc.constant(() => null)), kernelInit: fc.oneof(hostileValue, fc.constant(() => tf.ones([1])), fc.constant((s: number[]) => tf.fill(s, NaN))),
  biasInit: fc.oneof(hostileValue, fc.constant((s: number[]) => tf.ones(s, 'int32'))),
};
/** One builder's options: its good ones with up to two hostile entries (or hostile as a whole). */
const optsFor = (kind: string): fc.Arbitrary<unknown> => fc.oneof(
  {weight: 1, arbitrary: hostileValue},
  {weight: 8, arbitrary: fc.tuple(fc.subarray(Object.keys(HOSTILE_OPTS), {maxLength: 2}), fc.tuple(...Object.values(HOSTILE_OPTS))).map(([bad, vals]) => {
    const o: Record<string, unknown> = {...GOOD[kind], name: fresh()};
    const keys = Object.keys(HOSTILE_OPTS);
    for (const k of bad) o[k] = vals[keys.indexOf(k)];
    return o;
  })},
);
/**
 * Builders that delegate name the block that refused: preActBlock is residualConv with preAct,
 * preActBottleneck is bottleneck; residualMlp / residualCnn errors name the inner block
 * (`residualDense(mlp/block0): …`), which says where in the model the problem is.
 */
const INNER: Record<string, string[]> = {
  residualDense: [], residualConv: [], bottleneck: [], preActBlock: ['residualConv'], preActBottleneck: ['bottleneck'],
  residualMlp: ['residualDense', 'stack'], residualCnn: ['residualConv', 'bottleneck', 'stack'],
};
type Block = {apply(x: tf.Tensor, o?: unknown): tf.Tensor; dispose(): void; variables: tf.Variable[]; inChannels?: number; outChannels?: number};
const BUILDERS: [string, (o: unknown) => Block, (o: Record<string, unknown>) => number[]][] = [
  ['residualDense', (o) => residualDense(o as never), (o) => [3, (o.inputUnits as number) ?? (o.units as number)]],
  ['residualConv', (o) => residualConv(o as never), (o) => [2, 4, 4, o.inChannels as number]],
  ['bottleneck', (o) => bottleneck(o as never), (o) => [2, 4, 4, o.inChannels as number]],
  ['preActBlock', (o) => preActBlock(o as never), (o) => [2, 4, 4, o.inChannels as number]],
  ['preActBottleneck', (o) => preActBottleneck(o as never), (o) => [2, 4, 4, o.inChannels as number]],
  ['residualMlp', (o) => residualMlp(o as never), (o) => [3, o.width as number]],
  ['residualCnn', (o) => residualCnn(o as never), (o) => [2, 8, 8, o.inChannels as number]],
];
const xFor = (shape: number[]): fc.Arbitrary<Maker> => fc.constantFrom<Maker>(
  () => tf.randomNormal(shape.map((d) => (Number.isInteger(d) && d > 0 && d < 64 ? d : 4)), 0, 1, 'float32', 1),
  () => tf.ones([2, 5]), () => tf.ones([2, 4, 4, 5]), () => tf.ones([4]), () => tf.ones([2, 4], 'int32'), () => null, () => [[1, 2, 3, 4]],
);

describe('resnet-blocks builders: clear error at build time or a block that works, no leak', () => {
  it.each(BUILDERS)('%s: options, apply, dispose', (kind, build, xShape) => {
    fc.assert(fc.property(optsFor(kind), xFor([3, 4]), fc.oneof(fc.constant(undefined), fc.record({training: fc.boolean()}), hostileValue), (o, _mk, applyOpts) => {
      const before = tf.memory().numTensors;
      let block: Block | undefined;
      if (clearOrCorrect(kind, OPT_KEYS.concat(['stages', 'channels', 'kernelInit', 'biasInit', 'numBlocks', 'blocks', 'weight']), () => {
        block = build(o);
      }, {check: () => true, allowed: 10_000, prefixes: INNER[kind]}) === 'threw') {
        expect(tf.memory().numTensors).toBe(before);
        return;
      }
      try {
        const shape = xShape(o as Record<string, unknown>);
        withInput(() => tf.randomNormal(shape.map((d) => (Number.isInteger(d) && d > 0 && d < 64 ? d : 4)), 0, 1, 'float32', 1), (x) => {
          const where = `${kind}(${(o as {name: string}).name})`;
          clearOrCorrect(where, ['input', 'x', 'training', 'opts'], () => block!.apply(x as tf.Tensor, applyOpts as never), {
            prefixes: ['stack', 'residualDense', 'residualConv', 'bottleneck', 'preActBlock', 'preActBottleneck', kind],
            // a NaN-filling kernelInit (garbage in) gives NaN out, and so may an absurd (float32-
            // representable) gate/layerScale above 1e30 overflow; anything else must be finite
            check: (r) => (r as tf.Tensor).rank === (x as tf.Tensor).rank && (finite(r) || !block!.variables.every((v) => finite(v)) || absurd(o)),
          });
        });
        // a second block of the same name while the first lives: a clear error, nothing made
        const n0 = tf.memory().numTensors;
        clearOrCorrect(kind, ['name', 'variable'], () => build(o), {check: () => false, prefixes: INNER[kind]});
        expect(tf.memory().numTensors).toBe(n0);
      } finally {
        block!.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    }), {numRuns: RUNS});
  });

  it('stack rejects mismatched and non-module blocks at build time', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(4, 8), hostileValue), {maxLength: 3}), (units) => {
      const built: Block[] = [];
      const blocks = units.map((u) => {
        if (u === 4 || u === 8) {
          const b = residualDense({units: u, name: fresh()});
          built.push(b);
          return b;
        }
        return u;
      });
      clearOrCorrect('stack', ['blocks'], () => stack(blocks as never), {
        // a stack is returned only when every block takes what the one before gives
        check: (s) => blocks.every((b, i) => i === 0 || (b as Block).inChannels === (blocks[i - 1] as Block).outChannels) && typeof (s as Block).apply === 'function',
        allowed: 10_000,
      });
      built.forEach((b) => b.dispose());
    }), {numRuns: RUNS});
  });
});

describe('resnet-blocks functions: clear error or a correct result, no leak', () => {
  it('dropPath, linearDropRate', () => {
    fc.assert(fc.property(fc.constantFrom<Maker>(() => tf.ones([4, 3]), () => tf.scalar(1), () => tf.ones([4, 3], 'int32'), () => null, () => [1]), fc.oneof(hostileValue, fc.record({rate: fc.oneof(fc.constantFrom(0, 0.5, 1), hostileNumber), training: fc.oneof(fc.boolean(), hostileValue), seed: fc.oneof(fc.constant(undefined), hostileNumber)}, {requiredKeys: ['rate', 'training']})), (mk, o) => {
      withInput(mk, (x) => {
        clearOrCorrect('dropPath', ['x', 'opts', 'rate', 'training', 'seed'], () => dropPath(x as tf.Tensor, o as never), {
          // each sample is kept (scaled by 1/(1−rate)) or zeroed, never anything else
          check: (r) => {
            const {rate, training} = o as {rate: number; training: boolean};
            const scale = training && rate > 0 && rate < 1 ? 1 / (1 - rate) : 1;
            const out = Array.from((r as tf.Tensor).dataSync());
            return (r as tf.Tensor).shape.join() === (x as tf.Tensor).shape.join() && out.every((v) => v === 0 || Math.abs(v - scale) < 1e-5);
          },
        });
      });
    }), {numRuns: RUNS});
    fc.assert(fc.property(hostileNumber, hostileNumber, hostileNumber, (rate, i, total) => {
      clearOrCorrect('linearDropRate', ['rate', 'i', 'total'], () => linearDropRate(rate as number, i as number, total as number), {
        check: (r) => typeof r === 'number' && r >= 0 && r <= (rate as number),
      });
    }), {numRuns: RUNS});
  });

  it('heUniform, zerosInit, resolveActivation', () => {
    const shapeArb = fc.oneof(fc.array(fc.integer({min: 1, max: 4}), {minLength: 1, maxLength: 3}), hostileValue, fc.array(hostileNumber, {maxLength: 3}), fc.constant([100000, 100000, 100000]));
    fc.assert(fc.property(shapeArb, fc.oneof(hostileValue, fc.constantFrom('relu', 'swish', 'nope', 'constructor', 'toString')), (shape, act) => {
      for (const [name, f] of [['heUniform', heUniform], ['zerosInit', zerosInit]] as const) {
        clearOrCorrect(name, ['shape'], () => f(shape as number[]), {check: (r) => (r as tf.Tensor).shape.join() === (shape as number[]).join() && finite(r)});
      }
      clearOrCorrect('resolveActivation', ['activation'], () => resolveActivation(act as never, 'resolveActivation'), {check: (r) => typeof r === 'function'});
    }), {numRuns: RUNS});
  });

  it('layerScale, layerScaleResidual, squeezeExcite, squeezeExciteApply', () => {
    fc.assert(fc.property(fc.oneof(hostileValue, fc.record({dim: fc.oneof(fc.constant(4), hostileNumber), initValue: fc.oneof(fc.constant(1e-5), hostileNumber), name: fc.oneof(fc.constant(undefined), hostileValue)}, {requiredKeys: []})), fc.oneof(hostileValue, fc.record({channels: fc.oneof(fc.constant(4), hostileNumber), ratio: fc.oneof(fc.constant(2), hostileNumber), kernelInit: fc.oneof(fc.constant(undefined), hostileValue)}, {requiredKeys: []})), (lo, so) => {
      const before = tf.memory().numTensors;
      const lopts = lo && typeof lo === 'object' ? {name: fresh(), ...(lo as object)} : lo;
      const sopts = so && typeof so === 'object' ? {name: fresh(), ...(so as object)} : so;
      let ls: Block | undefined;
      if (clearOrCorrect('layerScale', ['options', 'opts', 'dim', 'initValue', 'name'], () => {
        ls = layerScale(lopts as never) as unknown as Block;
      }, {check: () => true, allowed: 1}) === 'ok') {
        withInput(() => tf.ones([2, 4]), (x) => clearOrCorrect(`layerScale '${(lopts as {name: string}).name}'`, ['x', 'channels'], () => ls!.apply(x as tf.Tensor, {training: true}), {check: finite, prefixes: ['layerScale']}));
        ls!.dispose();
      }
      let se: Block | undefined;
      if (clearOrCorrect('squeezeExcite', ['options', 'opts', 'channels', 'ratio', 'name', 'kernelInit'], () => {
        se = squeezeExcite(sopts as never) as unknown as Block;
      }, {check: () => true, allowed: 4}) === 'ok') {
        withInput(() => tf.ones([1, 2, 2, 4]), (x) => clearOrCorrect(`squeezeExcite '${(sopts as {name: string}).name}'`, ['x'], () => se!.apply(x as tf.Tensor, {training: true}), {check: finite, prefixes: ['squeezeExcite']}));
        se!.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    }), {numRuns: RUNS});
    const tArb = fc.constantFrom<Maker>(() => tf.ones([2, 4]), () => tf.ones([2, 3]), () => tf.ones([4]), () => tf.ones([2, 4], 'int32'), () => tf.ones([1, 2, 2, 4]), () => tf.ones([4, 2]), () => tf.ones([2]), () => null);
    fc.assert(fc.property(tArb, tArb, tArb, tArb, tArb, (a, b, c, d, e) => {
      withInput(a, (x) => withInput(b, (fx) => withInput(c, (g) => {
        clearOrCorrect('layerScaleResidual', ['x', 'fx', 'gamma'], () => layerScaleResidual(x as tf.Tensor, fx as tf.Tensor, g as tf.Tensor), {check: (r) => (r as tf.Tensor).shape.join() === (x as tf.Tensor).shape.join() && (r as tf.Tensor).dtype === 'float32'});
        withInput(d, (w2) => withInput(e, (b2) => {
          clearOrCorrect('squeezeExciteApply', ['x', 'w1', 'b1', 'w2', 'b2'], () => squeezeExciteApply(x as tf.Tensor, fx as tf.Tensor, g as tf.Tensor, w2 as tf.Tensor, b2 as tf.Tensor), {check: (r) => (r as tf.Tensor).shape.join() === (x as tf.Tensor).shape.join() && (r as tf.Tensor).dtype === 'float32'});
        }));
      })));
    }), {numRuns: RUNS * 2});
  });

  it('specs, residualBlockWeights, residualBlockApply', () => {
    const specs: [string, (o: unknown) => unknown][] = [['residualDenseSpec', (o) => residualDenseSpec(o as never)], ['residualConvSpec', (o) => residualConvSpec(o as never)], ['bottleneckSpec', (o) => bottleneckSpec(o as never)]];
    fc.assert(fc.property(fc.constantFrom(...specs), optsFor('residualDense'), optsFor('residualConv'), (spec, od, oc) => {
      const [name, make] = spec;
      clearOrCorrect(name, OPT_KEYS.concat(['channels', 'numBlocks']), () => make(name === 'residualDenseSpec' ? od : name === 'bottleneckSpec' && oc && typeof oc === 'object' ? {...(oc as object), filters: 2, inChannels: 8} : oc), {check: (r) => r !== null && typeof r === 'object', prefixes: ['residualDense', 'residualConv', 'bottleneck']});
    }), {numRuns: RUNS});
    const layout = residualDenseSpec({units: 4, name: 'bi_layout'});
    const ws = residualBlockWeights(layout);
    fc.assert(fc.property(fc.constantFrom<Maker>(() => tf.ones([2, 4]), () => tf.ones([2, 5]), () => tf.ones([2, 4], 'int32'), () => tf.ones([4]), () => null), fc.constantFrom('all', 'missing', 'wrongShape', 'int32', 'none'), fc.oneof(hostileValue, fc.constant(layout)), (mk, wk, lay) => {
      const weights: Record<string, unknown> = {};
      if (wk !== 'none') {
        for (const w of ws) weights[w.name] = wk === 'wrongShape' ? tf.ones([w.shape[0] ?? 1, 9]) : tf.ones(w.shape, wk === 'int32' ? 'int32' : 'float32');
        if (wk === 'missing') {
          tf.dispose(weights[ws[0].name] as tf.Tensor);
          delete weights[ws[0].name];
        }
      }
      withInput(mk, (x) => {
        clearOrCorrect('residualBlockApply', ['layout', 'x', 'weights', 'opts', 'activation'], () => residualBlockApply(lay as never, x as tf.Tensor, weights as never, {activation: resolveActivation('relu', 'b')} as never), {
          check: (r) => (r as tf.Tensor).shape.join() === '2,4' && finite(r),
        });
      });
      tf.dispose(Object.values(weights) as tf.Tensor[]);
    }), {numRuns: RUNS});
    fc.assert(fc.property(hostileValue, (lay) => {
      clearOrCorrect('residualBlockWeights', ['layout'], () => residualBlockWeights(lay as never), {check: (r) => Array.isArray(r)});
    }), {numRuns: RUNS});
  });
});
