import * as tf from '@tensorflow/tfjs-core';
import {BatchRenorm} from '@stable-train/batchnorm';
import {describeBackends, expectClose} from '@stable-train/testing';
import {batchRenormalization} from './batch_renormalization';
import {GRAD, build, setWeights, weight} from '../../test/golden_layer';

describeBackends(['cpu', 'wasm'], () => {
  for (const convention of ['keras', 'pytorch'] as const) {
    it(`same numbers as the BatchRenorm module (${convention} running variance): y, grads, moving stats over 3 steps, inference`, () => {
      const momentum = 0.7; // Keras meaning
      const mod = new BatchRenorm({
        channels: 4, convention, momentum: convention === 'keras' ? momentum : 1 - momentum, eps: 1e-3, rMax: 1.5, dMax: 0.5, name: `brn_mod_${convention}`,
      });
      const layer = batchRenormalization({momentum, epsilon: 1e-3, rMax: 1.5, dMax: 0.5, runningVarianceConvention: convention});
      build(layer, [6, 4]);
      const init = {gamma: tf.randomNormal([4]), beta: tf.randomNormal([4]), moving_mean: tf.randomNormal([4]), moving_variance: tf.randomUniform([4], 0.2, 3)};
      mod.gamma!.assign(init.gamma);
      mod.beta!.assign(init.beta);
      mod.movingMean!.assign(init.moving_mean);
      mod.movingVariance!.assign(init.moving_variance);
      setWeights(layer, init);
      for (let step = 0; step < 3; step++) {
        const x = tf.add(tf.mul(tf.randomNormal([6, 4]), 2), 1);
        const a = mod.apply(x, {training: true});
        const b = layer.apply(x, {training: true}) as tf.Tensor;
        expectClose(b, a, {rtol: 1e-5, atol: 1e-6});
        expectClose(weight(layer, 'moving_mean').read(), mod.movingMean!, {rtol: 1e-5, atol: 1e-6});
        expectClose(weight(layer, 'moving_variance').read(), mod.movingVariance!, {rtol: 1e-5, atol: 1e-6});
        tf.dispose([x, a, b]);
      }
      // gradients (r, d are stop-gradient in both): every training call moves the statistics, so
      // both start each gradient computation from the same statistics
      const x = tf.randomNormal([6, 4]);
      const up = tf.randomNormal([6, 4]);
      const mm = tf.clone(weight(layer, 'moving_mean').read());
      const mv = tf.clone(weight(layer, 'moving_variance').read());
      const sync = () => {
        mod.movingMean!.assign(mm);
        mod.movingVariance!.assign(mv);
        setWeights(layer, {moving_mean: mm, moving_variance: mv});
      };
      const lossMod = (v: tf.Tensor) => tf.sum(tf.mul(mod.apply(v, {training: true}), up)) as tf.Scalar;
      const lossLay = (v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v, {training: true}) as tf.Tensor, up)) as tf.Scalar;
      sync();
      const g = tf.variableGrads(() => lossMod(x), [mod.gamma!, mod.beta!]);
      const gl = tf.variableGrads(() => lossLay(x), [weight(layer, 'gamma').read() as tf.Variable, weight(layer, 'beta').read() as tf.Variable]);
      expectClose(gl.grads[(weight(layer, 'gamma').read() as tf.Variable).name], g.grads[mod.gamma!.name], GRAD);
      expectClose(gl.grads[(weight(layer, 'beta').read() as tf.Variable).name], g.grads[mod.beta!.name], GRAD);
      sync();
      const dxMod = tf.grad(lossMod)(x);
      const dxLay = tf.grad(lossLay)(x);
      expectClose(dxLay, dxMod, GRAD);
      tf.dispose([mm, mv, gl.value, ...Object.values(gl.grads), dxLay]);
      // inference: plain batch norm with the moving statistics, nothing moves
      mod.movingMean!.assign(weight(layer, 'moving_mean').read());
      mod.movingVariance!.assign(weight(layer, 'moving_variance').read());
      const before = Array.from(weight(layer, 'moving_mean').read().dataSync());
      const e1 = mod.apply(x, {training: false});
      const e2 = layer.apply(x, {training: false}) as tf.Tensor;
      expectClose(e2, e1, {rtol: 1e-6, atol: 1e-6});
      expect(Array.from(weight(layer, 'moving_mean').read().dataSync())).toEqual(before);
      tf.dispose([x, up, g.value, ...Object.values(g.grads), dxMod, e1, e2, ...Object.values(init)]);
      mod.dispose();
      layer.dispose();
    });
  }
});

describe('batchRenormalization: bad input', () => {
  it('throws naming the argument before any tensor is made', () => {
    const before = tf.memory().numTensors;
    expect(() => batchRenormalization({rMax: 0.5})).toThrow(/batchRenormalization: rMax must be a finite number >= 1, got 0.5/);
    expect(() => batchRenormalization({dMax: -1})).toThrow(/batchRenormalization: dMax must be a finite number >= 0, got -1/);
    expect(() => batchRenormalization({momentum: -0.1})).toThrow(/batchRenormalization: momentum must be a number in \[0, 1\], got -0.1/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
