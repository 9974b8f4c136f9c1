import * as tf from '@tensorflow/tfjs-core';
import {layerScaleResidual} from '@stable-train/resnet-blocks';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {layerScale} from './layer_scale';
import {FWD, GRAD, GoldenCase, setWeights, weight} from '../../test/golden_layer';

describeBackends(['cpu', 'wasm'], () => {
  // blocks_v2.json layer_scale (tools/goldens/README-v2.md): y = x + gamma * fx, fx given
  const g = loadGolden('blocks_v2').layer_scale;
  for (const c of g.cases as GoldenCase[]) {
    it(`PyTorch ${c.name} through the two-input layer: y, dx, dfx, dgamma`, () => {
      const [x, fx, up] = [g.x, g.fx, g.upstream_grad].map(goldenTensor);
      const layer = layerScale();
      tf.dispose(layer.apply([x, fx]) as tf.Tensor);
      setWeights(layer, {gamma: c.gamma});
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layer.apply([a, b]) as tf.Tensor, up)) as tf.Scalar;
      const y = layer.apply([x, fx]) as tf.Tensor;
      expectClose(y, goldenData(c.y), FWD);
      const [dx, dfx] = tf.grads(f)([x, fx]);
      expectClose(dx, goldenData(c.dx), GRAD);
      expectClose(dfx, goldenData(c.dfx), GRAD);
      const gv = weight(layer, 'gamma').read() as tf.Variable;
      const {value, grads} = tf.variableGrads(() => f(x, fx), [gv]);
      expectClose(grads[gv.name], goldenData(c.dgamma), GRAD);
      // one-input form: gamma * fx (+ x by hand) gives the same y
      const y1 = layer.apply(fx) as tf.Tensor;
      const ySum = tf.add(x, y1);
      expectClose(ySum, goldenData(c.y), FWD);
      tf.dispose([x, fx, up, y, dx, dfx, value, ...Object.values(grads), y1, ySum]);
      layer.dispose();
    });
  }

  it('initValue fills gamma; same numbers as layerScaleResidual', () => {
    const layer = layerScale({initValue: 1e-6});
    const x = tf.randomNormal([3, 2, 5]);
    const fx = tf.randomNormal([3, 2, 5]);
    const y = layer.apply([x, fx]) as tf.Tensor;
    expectClose(weight(layer, 'gamma').read(), new Array(5).fill(Math.fround(1e-6)), {rtol: 0, atol: 0}); // float32 1e-6
    const ref = layerScaleResidual(x, fx, weight(layer, 'gamma').read());
    expectClose(y, ref, {rtol: 0, atol: 0});
    tf.dispose([x, fx, y, ref]);
  });

  it('no tensor leaks per call (one and two inputs)', () => {
    const layer = layerScale();
    const x = tf.randomNormal([2, 4]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    expectNoLeak(() => {
      tf.dispose(layer.apply(x) as tf.Tensor);
      tf.dispose(layer.apply([x, x]) as tf.Tensor);
    });
    x.dispose();
  });
});

describe('layerScale: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => layerScale({initValue: Infinity})).toThrow(/layerScale: initValue must be a finite number, got Infinity/);
    expect(() => layerScale({gammaRegularizer: 'noSuch'})).toThrow(/layerScale: gammaRegularizer: unknown regularizer/);
    expect(() => layerScale(null as never)).toThrow(/layerScale: args must be an object, got null/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('mismatched x / fx shapes: throws naming the layer', () => {
    const layer = layerScale({name: 'ls_bad'});
    const [a, b] = [tf.zeros([2, 3]), tf.zeros([2, 4])];
    expect(() => layer.apply([a, b])).toThrow(/ls_bad: x and fx must have the same shape, got \[2,3\] and \[2,4\]/);
    tf.dispose([a, b]);
  });
});
