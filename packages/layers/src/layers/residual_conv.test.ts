// tfjs-wasm 4.22 has no Conv2DBackpropFilter: conv kernel gradients are checked on cpu only; the
// forward pass, the input gradient and the norm-parameter gradients on cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import {GroupNorm} from '@stable-train/batchnorm';
import {residualConv as residualConvModule} from '@stable-train/resnet-blocks';
import {describeBackends, expectClose, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {residualConv} from './residual_conv';
import {FWD, GRAD, build, setWeights, weight} from '../../test/golden_layer';
import {expectSameAsModule} from '../../test/block_equivalence';

let n = 0;
describeBackends(['cpu', 'wasm'], (backend) => {
  it(`PyTorch blocks_v2 preact_residual (BN in inference mode, no conv bias) through the layer: y, dx, dbn${backend === 'cpu' ? ', dK1, dK2' : ''}`, () => {
    const g = loadGolden('blocks_v2').preact_residual;
    const c = g.x.shape[3];
    const layer = residualConv({filters: c, norm: 'batchNormalization', normEpsilon: g.eps, useBias: false});
    build(layer, g.x.shape);
    setWeights(layer, {
      'conv1/kernel': g.K1, 'conv2/kernel': g.K2,
      'norm1/gamma': g.bn1_gamma, 'norm1/beta': g.bn1_beta, 'norm1/moving_mean': g.bn1_mean, 'norm1/moving_variance': g.bn1_var,
      'norm2/gamma': g.bn2_gamma, 'norm2/beta': g.bn2_beta, 'norm2/moving_mean': g.bn2_mean, 'norm2/moving_variance': g.bn2_var,
    });
    const x = goldenTensor(g.x);
    const up = goldenTensor(g.upstream_grad);
    const loss = (v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v, {training: false}) as tf.Tensor, up)) as tf.Scalar;
    const y = layer.apply(x, {training: false}) as tf.Tensor;
    expectClose(y, goldenData(g.y), FWD);
    const dx = tf.grad(loss)(x);
    expectClose(dx, goldenData(g.dx), GRAD);
    const keys: Record<string, string> = {'norm1/gamma': 'dbn1_gamma', 'norm1/beta': 'dbn1_beta', 'norm2/gamma': 'dbn2_gamma', 'norm2/beta': 'dbn2_beta'};
    if (backend === 'cpu') Object.assign(keys, {'conv1/kernel': 'dK1', 'conv2/kernel': 'dK2'});
    const vars = Object.keys(keys).map((k) => weight(layer, k).read() as tf.Variable);
    const {value, grads} = tf.variableGrads(() => loss(x), vars);
    Object.values(keys).forEach((key, i) => expectClose(grads[vars[i].name], goldenData(g.param_grads[key]), GRAD));
    tf.dispose([x, up, y, dx, value, ...Object.values(grads)]);
    layer.dispose();
  });

  for (const [what, stride, inC, filters] of [['projection, stride 2', 2, 2, 4], ['identity shortcut', 1, 4, 4]] as const) {
    it(`same numbers as the residualConv module (${what}, group norm, gate): y, dx${backend === 'cpu' ? ', all parameter grads' : ''}`, () => {
      const mod = residualConvModule({
        name: `rc_eq_${n++}`, filters, inChannels: inC, stride, gate: {init: 0.6},
        norm: (channels, nm) => new GroupNorm({channels, groups: 2, name: nm, eps: 1e-3}), biasInit: (s) => tf.randomNormal(s),
      });
      const layer = residualConv({filters, strides: stride, gate: {init: 0.6}, norm: 'groupNormalization', normGroups: 2});
      const x = tf.randomNormal([2, 5, 5, inC]);
      expectSameAsModule(mod, layer, x, true, {dx: true, params: backend === 'cpu'});
      x.dispose();
      mod.dispose();
      layer.dispose();
    });
  }
});

describe('residualConv: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => residualConv({filters: -1})).toThrow(/residualConv: filters must be an integer >= 1, got -1/);
    expect(() => residualConv({filters: 4, strides: 0})).toThrow(/residualConv: strides must be an integer >= 1, got 0/);
    expect(() => residualConv({filters: 4, kernelSize: 5})).toThrow(/residualConv: kernelSize must be 3/);
    expect(() => residualConv({filters: 4, runningVarianceConvention: 'tf' as never})).toThrow(/residualConv: runningVarianceConvention must be one of 'keras', 'pytorch', got "tf"/);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('input that is not NHWC: throws at build naming the layer', () => {
    const layer = residualConv({filters: 4, name: 'rc_rank'});
    expect(() => build(layer, [2, 4])).toThrow(/rc_rank: expected input \[batch, height, width, channels\]/);
  });
});
