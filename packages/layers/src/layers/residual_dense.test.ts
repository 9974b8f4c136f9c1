import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {BatchNorm, LayerNorm} from '@stable-train/batchnorm';
import {residualDense as residualDenseModule} from '@stable-train/resnet-blocks';
import {describeBackends, expectClose, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {residualDense} from './residual_dense';
import {FWD, GRAD, build, setWeights, weight} from '../../test/golden_layer';
import {expectSameAsModule} from '../../test/block_equivalence';

// residual.json (goldens README §7): pre-activation dense block, training-mode BN, PyTorch float64
const golden = loadGolden('residual');
const PARAMS: Record<string, string> = {
  W1: 'dense1/kernel', b1: 'dense1/bias', W2: 'dense2/kernel', b2: 'dense2/bias',
  bn1_gamma: 'norm1/gamma', bn1_beta: 'norm1/beta', bn2_gamma: 'norm2/gamma', bn2_beta: 'norm2/beta',
};

let n = 0;
describeBackends(['cpu', 'wasm'], () => {
  for (const c of golden.cases) {
    it(`PyTorch residual.json case ${c.name} through the layer: y, dx, 8 parameter grads${c.alpha !== null ? ', dalpha' : ''}`, () => {
      const [, d] = golden.inputs.x.shape;
      const h = golden.inputs.W1.shape[1];
      const layer = residualDense({units: d, hidden: h, norm: 'batchNormalization', normEpsilon: golden.eps, gate: c.alpha === null ? 'none' : {init: c.alpha}});
      build(layer, golden.inputs.x.shape);
      for (const [key, suffix] of Object.entries(PARAMS)) setWeights(layer, {[suffix]: golden.inputs[key]});
      const x = goldenTensor(golden.inputs.x);
      const up = goldenTensor(golden.inputs.upstream_grad);
      const y = layer.apply(x, {training: true}) as tf.Tensor;
      expectClose(y, goldenData(c.y), FWD);
      const loss = (v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v, {training: true}) as tf.Tensor, up)) as tf.Scalar;
      const dx = tf.grad(loss)(x);
      expectClose(dx, goldenData(c.dx), GRAD);
      const names = [...Object.values(PARAMS), ...(c.alpha !== null ? ['gate/alpha'] : [])];
      const vars = names.map((s) => weight(layer, s).read() as tf.Variable);
      const {value, grads} = tf.variableGrads(() => loss(x), vars);
      Object.keys(PARAMS).forEach((key, i) => {
        // b1 is mathematically 0 (a bias before a training-mode BN cancels): absolute tolerance only
        const tol = key === 'b1' ? {rtol: 0, atol: 1e-5} : GRAD;
        expectClose(grads[vars[i].name], goldenData(c.param_grads[key]), tol);
      });
      if (c.alpha !== null) expectClose(grads[vars[vars.length - 1].name], c.dalpha, GRAD);
      if (c.alpha === 0) {
        // y = x and dx = upstream exactly (README §7: alpha = 0)
        expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
        expect(Array.from(dx.dataSync())).toEqual(Array.from(up.dataSync()));
      }
      tf.dispose([x, up, y, dx, value, ...Object.values(grads)]);
      layer.dispose();
    });
  }

  it('same numbers as the residualDense module: layer norm, elu, projection, gate {init: 0.7}', () => {
    const name = `rd_eq_${n++}`;
    const mod = residualDenseModule({
      name, units: 4, hidden: 6, inputUnits: 5, gate: {init: 0.7}, activation: 'elu',
      norm: (channels, nm) => new LayerNorm({channels, name: nm, eps: 1e-3}), biasInit: (s) => tf.randomNormal(s),
    });
    const layer = residualDense({units: 4, hidden: 6, gate: {init: 0.7}, activation: 'elu', norm: 'layerNormalization'});
    const x = tf.randomNormal([3, 5]);
    expectSameAsModule(mod, layer, x, true, {dx: true, params: true});
    x.dispose();
    mod.dispose();
    layer.dispose();
  });

  it('same numbers as the residualDense module with Keras-convention batch norm: output, grads, moving statistics', () => {
    const name = `rd_bn_${n++}`;
    const mod = residualDenseModule({
      name, units: 4, gate: 'rezero', norm: (channels, nm) => new BatchNorm({channels, name: nm, convention: 'keras'}),
    });
    mod.variables.find((v) => v.name.endsWith('gate/alpha'))!.assign(tf.scalar(0.4));
    const layer = residualDense({units: 4, gate: 'rezero', norm: 'batchNormalization'});
    const x = tf.randomNormal([6, 4]);
    expectSameAsModule(mod, layer, x, true, {dx: true, params: true});
    // both made 1 + 1 (dx) + 1 (params) training calls: the moving statistics agree
    const modVars = new Map(mod.variables.map((v) => [v.name.slice(name.length + 1), v]));
    for (const k of ['norm1/moving_mean', 'norm1/moving_variance', 'norm2/moving_mean', 'norm2/moving_variance']) {
      expectClose(weight(layer, k).read(), modVars.get(k)!, {rtol: 1e-5, atol: 1e-6});
    }
    // inference: same output, nothing moves
    const before = Array.from(weight(layer, 'norm1/moving_mean').read().dataSync());
    const a = mod.apply(x, {training: false});
    const b = layer.apply(x, {training: false}) as tf.Tensor;
    expectClose(b, a, {rtol: 1e-5, atol: 1e-5});
    expect(Array.from(weight(layer, 'norm1/moving_mean').read().dataSync())).toEqual(before);
    tf.dispose([x, a, b]);
    mod.dispose();
    layer.dispose();
  });
});

describe('residualDense: bad input', () => {
  const cases: [string, unknown, RegExp][] = [
    ['units 0', {units: 0}, /residualDense: units must be an integer >= 1, got 0/],
    ['hidden 2.5', {units: 4, hidden: 2.5}, /residualDense: hidden must be an integer >= 1, got 2.5/],
    ['gate "bogus"', {units: 4, gate: 'bogus'}, /residualDense: gate must be 'none', 'rezero', 'skipinit' or \{init: <finite number>\}, got "bogus"/],
    ['norm "batchnorm"', {units: 4, norm: 'batchnorm'}, /residualDense: norm must be one of 'none', 'batchNormalization'.*got "batchnorm"/],
    ['activation function', {units: 4, activation: (t: tf.Tensor) => t}, /residualDense: activation must be one of .*got a function \(not serializable\)/],
    ['normEpsilon -1', {units: 4, normEpsilon: -1}, /residualDense: normEpsilon must be a finite number > 0, got -1/],
    ['kernelInitializer 42', {units: 4, kernelInitializer: 42}, /residualDense: kernelInitializer must be a initializer/],
    ['no args', undefined, /residualDense: args with units are required, got undefined/],
    ['fixup', {units: 4, fixup: {numBlocks: 8}}, /residualDense: fixup is an option of the @stable-train\/resnet-blocks module, not of this layer; Fixup is not available/],
    ['kernelInit', {units: 4, kernelInit: () => null}, /residualDense: kernelInit is an option of the .* module, not of this layer; use kernelInitializer/],
  ];
  for (const [what, args, msg] of cases) {
    it(`${what}: throws naming the argument before any tensor is made`, () => {
      const before = tf.memory().numTensors;
      expect(() => residualDense(args as never)).toThrow(msg);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
  it('normGroups that do not divide the channels: throws at build, naming the layer', () => {
    const layer = residualDense({units: 6, norm: 'groupNormalization', normGroups: 4, name: 'rd_groups'});
    expect(() => layer.apply(tfl.input({shape: [6]}))).toThrow(/rd_groups: normGroups \(4\) must divide the 6 channels normalised by norm1/);
  });
});
