import * as tf from '@tensorflow/tfjs-core';
import {squeezeExcite as squeezeExciteModule} from '@stable-train/resnet-blocks';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {squeezeExcite} from './squeeze_excite';
import {FWD, GRAD, build, disposeResult, forwardAndGrads, setWeights} from '../../test/golden_layer';

describeBackends(['cpu', 'wasm'], () => {
  it('PyTorch SE (blocks_v2 squeeze_excitation, r = 4) through the layer: y, dx, dW1, db1, dW2, db2', () => {
    const g = loadGolden('blocks_v2').squeeze_excitation;
    const layer = squeezeExcite({ratio: g.reduction_r});
    build(layer, g.x.shape);
    expect(layer.weights.map((w) => w.shape)).toEqual([g.W1.shape, g.b1.shape, g.W2.shape, g.b2.shape]);
    setWeights(layer, {'fc1/kernel': g.W1, 'fc1/bias': g.b1, 'fc2/kernel': g.W2, 'fc2/bias': g.b2});
    const x = goldenTensor(g.x);
    const up = goldenTensor(g.upstream_grad);
    const r = forwardAndGrads(layer, x, up, true, ['fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias']);
    expectClose(r.y, goldenData(g.y), FWD);
    expectClose(r.dx, goldenData(g.dx), GRAD);
    expectClose(r.dw['fc1/kernel'], goldenData(g.dW1), GRAD);
    expectClose(r.dw['fc1/bias'], goldenData(g.db1), GRAD);
    expectClose(r.dw['fc2/kernel'], goldenData(g.dW2), GRAD);
    expectClose(r.dw['fc2/bias'], goldenData(g.db2), GRAD);
    disposeResult(r);
    tf.dispose([x, up]);
    layer.dispose();
  });

  it('same width and numbers as the resnet-blocks squeezeExcite module (C = 10, ratio 3)', () => {
    const mod = squeezeExciteModule({channels: 10, ratio: 3});
    const layer = squeezeExcite({ratio: 3});
    build(layer, [2, 3, 3, 10]);
    expect(layer.weights[0].shape).toEqual([10, mod.reduced]);
    const vals = mod.getState();
    setWeights(layer, Object.fromEntries(Object.entries(vals).map(([k, v]) => [k.slice(mod.name.length + 1), v])));
    const x = tf.randomNormal([2, 3, 3, 10]);
    const y = layer.apply(x, {training: true}) as tf.Tensor;
    const ym = mod.apply(x, {training: true});
    expectClose(y, ym, {rtol: 0, atol: 0});
    tf.dispose([x, y, ym, ...Object.values(vals)]);
    mod.dispose();
    layer.dispose();
  });

  it('no tensor leaks per call', () => {
    const layer = squeezeExcite({ratio: 2});
    const x = tf.randomNormal([2, 3, 3, 4]);
    build(layer, x.shape);
    expectNoLeak(() => tf.dispose(layer.apply(x) as tf.Tensor));
    x.dispose();
    layer.dispose();
  });
});

describe('squeezeExcite: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => squeezeExcite({ratio: 0})).toThrow(/squeezeExcite: ratio must be a finite number > 0, got 0/);
    expect(() => squeezeExcite({kernelInitializer: 'noSuchInit'})).toThrow(/squeezeExcite: kernelInitializer: unknown initializer/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('a non-NHWC input: throws at build naming the layer', () => {
    expect(() => build(squeezeExcite({name: 'se_bad'}), [2, 8])).toThrow(/se_bad: expected an NHWC input \[N, H, W, C\]/);
  });
});
