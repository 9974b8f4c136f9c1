import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as st from '@stable-train/initializers';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {lsuv} from './lsuv';
import {normal} from './normal';

/** A depth-layer tanh MLP (activation fused in the dense layers), kernels N(0, 1): badly scaled on purpose. */
function mlp(depth: number, width: number): tfl.Sequential {
  const layers: tfl.layers.Layer[] = [];
  for (let i = 0; i < depth; i++) {
    layers.push(tfl.layers.dense({units: width, activation: 'tanh', inputShape: i === 0 ? [width] : undefined, kernelInitializer: normal({seed: 100 + i}), biasInitializer: 'ones'}));
  }
  return tfl.sequential({layers});
}

/** Pre-activation variance of each dense layer, recomputed by hand (matMul + bias, then tanh). */
function preActivationVariances(model: tfl.Sequential, x: tf.Tensor): number[] {
  return tf.tidy(() => {
    let h = x;
    return model.layers.map((l) => {
      const [k, b] = l.getWeights();
      const z = tf.add(tf.matMul(h, k), b);
      h = tf.tanh(z);
      return tf.moments(z).variance.dataSync()[0];
    });
  });
}

describeBackends(['cpu', 'wasm'], () => {
  it('gives the technique lsuv\'s kernels on the equivalent raw-ops MLP and brings every pre-activation variance to 1 ± 0.1', async () => {
    const model = mlp(8, 32);
    const x = tf.randomNormal([128, 32], 0, 1, 'float32', 1);
    // the same network as raw variables, for the technique function itself
    const vars = model.getWeights().map((w) => tf.variable(w.clone()));
    const raw: st.LsuvLayer[] = [];
    for (let i = 0; i < vars.length; i += 2) {
      const [k, b] = [vars[i], vars[i + 1]];
      raw.push({kernel: k, forward: (h) => tf.add(tf.matMul(h, k), b), activation: tf.tanh});
    }
    const before = preActivationVariances(model, x);
    expect(Math.max(...before)).toBeGreaterThan(5); // N(0, 1) kernels of width 32: far from 1
    const n = tf.memory().numTensors;
    const ours = await lsuv(model, x, {tolerance: 0.1, maxIterations: 10, seed: 0});
    expect(tf.memory().numTensors).toBe(n); // kernels assigned in place, nothing kept
    const ref = await st.lsuv(raw, x, {tolerance: 0.1, maxIterations: 10, seed: 0});
    expect(ours.layers).toEqual(model.layers.map((l) => l.name));
    expect(ours.iterations).toEqual(ref.iterations);
    expect(ours.converged).toEqual(new Array(8).fill(true));
    expectClose(ours.variances, ref.variances, {rtol: 1e-4, atol: 1e-6});
    model.getWeights().forEach((w, i) => expectClose(w, vars[i], {rtol: 1e-4, atol: 1e-6}));
    for (const v of preActivationVariances(model, x)) expect(Math.abs(v - 1)).toBeLessThan(0.1);
    tf.dispose([x, ...vars]);
    model.dispose();
  });

  it('works through a functional graph with pooling and a norm layer between kernels, leak-free', async () => {
    const inp = tfl.input({shape: [8, 8, 3]});
    let h = tfl.layers.conv2d({filters: 6, kernelSize: 3, activation: 'relu', kernelInitializer: normal({std: 3, seed: 1})}).apply(inp) as tfl.SymbolicTensor;
    h = tfl.layers.maxPooling2d({poolSize: 2}).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.batchNormalization().apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({units: 4, kernelInitializer: normal({std: 5, seed: 2})}).apply(h) as tfl.SymbolicTensor;
    const model = tfl.model({inputs: inp, outputs: out});
    const x = tf.randomNormal([32, 8, 8, 3], 0, 1, 'float32', 3);
    const res = await lsuv(model, x, {seed: 1});
    expect(res.layers.length).toBe(2);
    expect(res.converged).toEqual([true, true]);
    // the model's final output (no activation after the dense layer) now has variance ~1
    const v = tf.tidy(() => tf.moments(model.predict(x) as tf.Tensor).variance.dataSync()[0]);
    expect(Math.abs(v - 1)).toBeLessThan(0.1);
    await expectNoLeak(async () => {
      await lsuv(model, x, {seed: 2, maxIterations: 3});
    });
    tf.dispose(x);
    model.dispose();
  });
});

describe('lsuv bad input', () => {
  it('names the argument', async () => {
    const model = mlp(1, 4);
    const x = tf.ones([4, 4]);
    await expect(lsuv({} as never, x)).rejects.toThrow('lsuv: model must be a tf.LayersModel, got {}');
    await expect(lsuv(model, [1, 2] as never)).rejects.toThrow('lsuv: x must be a tf.Tensor, got [1,2]');
    await expect(lsuv(model, x, {tolerance: -1})).rejects.toThrow('lsuv: tolerance must be a finite number > 0, got -1');
    const noKernel = tfl.sequential({layers: [tfl.layers.flatten({inputShape: [2, 2]})]});
    await expect(lsuv(noKernel, x)).rejects.toThrow('lsuv: model has no layer with a kernel (dense, conv) to initialise');
    tf.dispose(x);
    model.dispose();
  });
});
