import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as st from '@stable-train/initializers';
import {describeBackends, expectNoLeak, loadGolden} from '@stable-train/testing';
import type {Initializer} from '@tensorflow/tfjs-layers/dist/initializers';
import * as ours from './index';

/** Each adapter next to the technique initializer it must reproduce, on a shape it accepts. */
const PAIRS: [string, Initializer, st.Initializer, number[]][] = [
  ['glorotUniform', ours.glorotUniform({gain: 2, seed: 1}), st.glorotUniform({gain: 2}), [30, 20]],
  ['glorotNormal', ours.glorotNormal({gain: 0.5, seed: 2}), st.glorotNormal({gain: 0.5}), [3, 3, 4, 8]],
  ['heUniform', ours.heUniform({a: 0.2, mode: 'fan_out', nonlinearity: 'leaky_relu', seed: 3}), st.heUniform({a: 0.2, mode: 'fan_out', nonlinearity: 'leaky_relu'}), [5, 5, 3, 6]],
  ['heNormal', ours.heNormal({mode: 'fan_out', nonlinearity: 'relu', seed: 4}), st.heNormal({mode: 'fan_out', nonlinearity: 'relu'}), [40, 10]],
  ['lecunUniform', ours.lecunUniform({seed: 5}), st.lecunUniform(), [16, 16]],
  ['lecunNormal', ours.lecunNormal({seed: 6}), st.lecunNormal(), [16, 8]],
  ['varianceScaling', ours.varianceScaling({scale: 3, mode: 'fan_avg', distribution: 'truncated_normal', seed: 7}), st.varianceScaling({scale: 3, mode: 'fan_avg', distribution: 'truncated_normal'}), [12, 9]],
  ['orthogonal', ours.orthogonal({gain: Math.SQRT2, seed: 8}), st.orthogonal({gain: Math.SQRT2}), [3, 3, 2, 5]],
  ['deltaOrthogonal', ours.deltaOrthogonal({gain: 1.5, seed: 9}), st.deltaOrthogonal({gain: 1.5}), [3, 3, 4, 6]],
  ['truncatedNormal', ours.truncatedNormal({std: 0.02, a: -0.04, b: 0.04, seed: 10}), st.truncatedNormal({std: 0.02, a: -0.04, b: 0.04}), [50, 20]],
  ['normal', ours.normal({mean: 1, std: 3, seed: 11}), st.normal({mean: 1, std: 3}), [7, 7]],
  ['uniform', ours.uniform({min: -2, max: 5, seed: 12}), st.uniform({min: -2, max: 5}), [7, 3]],
  ['constant', ours.constant({value: 0.25}), st.constant(0.25), [4, 2]],
  ['identity', ours.identity(), st.identity, [4, 6]],
  ['dirac', ours.dirac({groups: 2}), st.dirac({groups: 2}), [3, 3, 2, 4]],
];
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

interface GoldenInit {
  name: string;
  expected_std: number;
  expected_bound?: number;
  gain?: number;
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: 'relu' | 'leaky_relu';
  param_std?: number;
}

/** Our adapter for each PyTorch call of initializers.json (see its `torch_call`). */
function forGolden(g: GoldenInit, seed: number): Initializer {
  if (g.name.startsWith('xavier_uniform')) return ours.glorotUniform({gain: g.gain, seed});
  if (g.name === 'xavier_normal') return ours.glorotNormal({gain: g.gain, seed});
  if (g.name.startsWith('kaiming_uniform')) return ours.heUniform({a: g.a, mode: g.mode, nonlinearity: g.nonlinearity, seed});
  if (g.name.startsWith('kaiming_normal')) return ours.heNormal({a: g.a, mode: g.mode, nonlinearity: g.nonlinearity, seed});
  if (g.name === 'lecun_normal') return ours.lecunNormal({seed});
  if (g.name === 'lecun_uniform') return ours.lecunUniform({seed});
  if (g.name.startsWith('trunc_normal_std_')) {
    const s = g.param_std as number;
    return ours.truncatedNormal({std: s, a: -2 * s, b: 2 * s, seed});
  }
  if (g.name === 'torch_default_linear_conv_weight') return ours.heUniform({a: Math.sqrt(5), seed});
  throw new Error(`no mapping for golden ${g.name}`);
}

/** Population std and max |x| in float64. */
function moments(t: tf.Tensor): {std: number; maxAbs: number} {
  const d = t.dataSync();
  let s = 0;
  let s2 = 0;
  let maxAbs = 0;
  for (let i = 0; i < d.length; i++) {
    s += d[i];
    s2 += d[i] * d[i];
    maxAbs = Math.max(maxAbs, Math.abs(d[i]));
  }
  const mean = s / d.length;
  return {std: Math.sqrt(s2 / d.length - mean * mean), maxAbs};
}

describeBackends(['cpu', 'wasm'], () => {
  it('every adapter gives the technique function\'s tensor bit for bit (same seed, same shape)', () => {
    PAIRS.forEach(([name, adapter, technique, shape], i) => {
      const seed = (adapter.getConfig() as {seed?: number}).seed;
      expect(seed === undefined ? undefined : seed).toBe(i < SEEDS.length ? SEEDS[i] : undefined);
      const a = adapter.apply(shape, 'float32');
      const b = technique(shape, seed === undefined ? {} : {seed});
      expect({name, shape: a.shape}).toEqual({name, shape});
      expect({name, data: Array.from(a.dataSync())}).toEqual({name, data: Array.from(b.dataSync())});
      tf.dispose([a, b]);
    });
  });

  it('conv kernels: dirac through a conv2d returns its input, orthogonal columns are orthonormal·gain', () => {
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1);
    const conv = tfl.layers.conv2d({filters: 3, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: ours.dirac()});
    const y = conv.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    const dense = tfl.layers.dense({units: 4, kernelInitializer: ours.orthogonal({gain: 2, seed: 1}), inputShape: [10]});
    dense.apply(tfl.input({shape: [10]}));
    const w = dense.getWeights()[0];
    const gram = tf.matMul(tf.transpose(w), w).arraySync() as number[][];
    gram.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - (i === j ? 4 : 0))).toBeLessThan(1e-5)));
    tf.dispose([x, y]);
    conv.dispose();
    dense.dispose();
  });

  it('leaks no tensor', async () => {
    for (const [, adapter, , shape] of PAIRS) await expectNoLeak(() => adapter.apply(shape, 'float32'));
  });
});

// The golden statistics need >= 5e4 samples per PyTorch call (≈8 M draws in all). The draws are made
// by tfjs-core's JS generators (randomNormal / randomUniform are backend-independent; ~1.3 s per
// 400k normals), so this runs on cpu only; that the adapters give the technique functions' tensors
// bit for bit on wasm too is the first test above, and the technique package checks the same
// statistics on both backends.
describeBackends(['cpu'], () => {
  it('matches the PyTorch statistics of initializers.json inside real layers (fans of the kernel layout, std within 1%, bounds)', () => {
    const golden = loadGolden('initializers');
    for (const shape of golden.shapes as {tf_shape: number[]; kind: string; fan_in: number; fan_out: number; initializers: GoldenInit[]}[]) {
      expect(st.computeFans(shape.tf_shape)).toMatchObject({fanIn: shape.fan_in, fanOut: shape.fan_out});
      shape.initializers.forEach((g, i) => {
        const init = forGolden(g, 100 + i);
        // the kernel tfjs-layers builds: dense [in, out] or conv2d [h, w, in, out]
        const s = shape.tf_shape;
        const layer =
          shape.kind === 'dense'
            ? tfl.layers.dense({units: s[1], kernelInitializer: init, inputShape: [s[0]]})
            : tfl.layers.conv2d({filters: s[3], kernelSize: [s[0], s[1]], kernelInitializer: init, inputShape: [8, 8, s[2]]});
        layer.apply(tfl.input({shape: shape.kind === 'dense' ? [s[0]] : [8, 8, s[2]]})); // builds the kernel
        const kernel = layer.getWeights()[0];
        expect(kernel.shape).toEqual(s);
        // pool further draws (other seeds, same shape) up to >= 5e4 samples: the std of a sample
        // std is ~1/√(2n), so 1% (3σ at 5e4) needs n well above 5e3 (the small golden shapes)
        const draws = [kernel];
        for (let k = 1; k * kernel.size < 5e4; k++) draws.push(forGolden(g, 1000 * (i + 1) + k).apply(s, 'float32'));
        const pooled = tf.concat(draws.map((d) => tf.reshape(d, [-1])));
        const m = moments(pooled);
        tf.dispose([pooled, ...draws.slice(1)]);
        const where = `${g.name} ${JSON.stringify(s)}`;
        expect({where, rel: Math.abs(m.std / g.expected_std - 1) < 0.01}).toEqual({where, rel: true});
        if (g.expected_bound !== undefined) {
          expect({where, inBound: m.maxAbs <= g.expected_bound * (1 + 1e-6)}).toEqual({where, inBound: true});
        }
        layer.dispose();
      });
    }
  });

});

describe('initializer configs and bad input', () => {
  it('getConfig returns the options; fromConfig (also from camelCased values, as a saved model brings them) rebuilds them', () => {
    const he = ours.heNormal({mode: 'fan_out', nonlinearity: 'leaky_relu', a: 0.1, seed: 3});
    expect(he.getConfig()).toEqual({mode: 'fan_out', nonlinearity: 'leaky_relu', a: 0.1, seed: 3});
    expect(ours.StableTrainHeNormal.className).toBe('StableTrainHeNormal');
    expect(he.getClassName()).toBe('StableTrainHeNormal');
    const back = ours.StableTrainHeNormal.fromConfig(ours.StableTrainHeNormal, {mode: 'fanOut', nonlinearity: 'leakyRelu', a: 0.1, seed: 3});
    expect(back.getConfig()).toEqual(he.getConfig());
    // every class is registered under its prefixed name (never tfjs's own `HeNormal`)
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    for (const [name, adapter] of PAIRS) {
      const cls = adapter.getClassName();
      expect({name, cls: cls.startsWith('StableTrain'), registered: map[cls]?.[0] === adapter.constructor}).toEqual({name, cls: true, registered: true});
    }
  });

  it('rejects bad options with the argument named, before any tensor is made', () => {
    const n = tf.memory().numTensors;
    expect(() => ours.heNormal({mode: 'fan_avg' as never})).toThrow("heNormal: mode must be one of 'fan_in', 'fan_out', got \"fan_avg\"");
    expect(() => ours.heUniform({nonlinearity: 'gelu' as never})).toThrow(/heUniform: nonlinearity must be one of .*got "gelu"/);
    expect(() => ours.glorotUniform({gain: -1})).toThrow('glorotUniform: gain must be a finite number > 0, got -1');
    expect(() => ours.orthogonal({gain: 1, seed: NaN})).toThrow('orthogonal: seed must be a finite number, got NaN');
    expect(() => ours.normal({stddev: 1} as never)).toThrow("normal: unknown option 'stddev'; expected 'mean', 'std', 'seed'");
    expect(() => ours.constant(undefined as never)).toThrow('constant: value must be a finite number, got undefined');
    expect(() => ours.constant({value: Infinity})).toThrow('constant: value must be a finite number, got Infinity');
    expect(() => ours.uniform({min: 1, max: 1})).toThrow('uniform: max must be > min, got min 1 and max 1');
    expect(() => ours.varianceScaling({distribution: 'untruncated_normal' as never})).toThrow(/varianceScaling: distribution must be one of/);
    expect(() => ours.heNormal('fan_in' as never)).toThrow("heNormal: options must be an object, got 'fan_in'");
    // shape errors (at build time) name the factory too
    expect(() => ours.deltaOrthogonal().apply([3, 3, 8, 4])).toThrow(/deltaOrthogonal: in channels must be <= out channels/);
    expect(() => ours.dirac().apply([4, 4])).toThrow(/dirac: shape must have rank >= 3/);
    expect(() => ours.heNormal().apply([4, 4], 'int32')).toThrow(/heNormal: dtype must be one of 'float32', got "int32"/);
    expect(tf.memory().numTensors).toBe(n);
  });
});
