import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {lsuv, LsuvLayer, normal} from './index';

/** A depth-layer MLP of width `width`: kernels start N(0, 1) (badly scaled on purpose), biases 0.1. */
function mlp(depth: number, width: number, act: (y: tf.Tensor) => tf.Tensor): {layers: LsuvLayer[]; vars: tf.Variable[]} {
  const layers: LsuvLayer[] = [];
  const vars: tf.Variable[] = [];
  for (let i = 0; i < depth; i++) {
    const kernel = tf.variable(normal()([width, width], {seed: 100 + i}));
    const bias = tf.variable(tf.fill([width], 0.1));
    vars.push(kernel, bias);
    layers.push({kernel, forward: (x) => tf.add(tf.matMul(x, kernel), bias), activation: act});
  }
  return {layers, vars};
}

/** Per-layer output variance of the MLP, recomputed independently after LSUV. */
function layerVariances(layers: LsuvLayer[], x0: tf.Tensor): number[] {
  return tf.tidy(() => {
    const out: number[] = [];
    let x = x0;
    for (const l of layers) {
      const y = l.forward(x);
      out.push(tf.moments(y).variance.dataSync()[0]);
      x = l.activation ? l.activation(y) : y;
    }
    return out;
  });
}

describeBackends(['cpu', 'wasm'], () => {
  for (const [name, act] of [
    ['tanh', tf.tanh],
    ['relu', tf.relu],
  ] as const) {
    it(`brings a 20-layer ${name} MLP to per-layer output variance 1 ± 0.1 within 10 iterations`, async () => {
      const {layers, vars} = mlp(20, 64, act);
      const x = tf.randomNormal([256, 64], 0, 1, 'float32', 1);
      const before = layerVariances(layers, x);
      const n = tf.memory().numTensors;
      const res = await lsuv(layers, x, {tolerance: 0.1, maxIterations: 10, seed: 0});
      expect(tf.memory().numTensors).toBe(n); // no leak: kernels are assigned in place
      expect(res.converged).toEqual(new Array(20).fill(true));
      expect(Math.max(...res.iterations)).toBeLessThanOrEqual(10);
      const after = layerVariances(layers, x);
      for (const v of after) expect(Math.abs(v - 1)).toBeLessThan(0.1);
      expectClose(after, res.variances, {rtol: 1e-4, atol: 1e-5});
      // the N(0, 1) start was far off: the test could fail
      expect(before.some((v) => Math.abs(v - 1) > 1)).toBe(true);
      tf.dispose([x, ...vars]);
    });
  }

  it('keeps the current kernels with orthogonalInit: false and reports non-convergence honestly', async () => {
    const {layers, vars} = mlp(3, 16, tf.relu);
    const x = tf.randomNormal([64, 16], 0, 1, 'float32', 2);
    const res = await lsuv(layers, x, {maxIterations: 0, orthogonalInit: false});
    expect(res.iterations).toEqual([0, 0, 0]);
    expect(res.converged[0]).toBe(false); // N(0,1) kernel, width 16: variance ~16
    expectClose(res.variances[0], layerVariances(layers, x)[0], {rtol: 1e-5, atol: 0});
    tf.dispose([x, ...vars]);
  });

  it('validates its arguments and fails clearly on a dead layer', async () => {
    const {layers, vars} = mlp(2, 4, tf.relu);
    const x = tf.ones([8, 4]);
    await expect(lsuv([], x)).rejects.toThrow('lsuv: layers must be a non-empty array, got []');
    await expect(lsuv([{forward: (t: tf.Tensor) => t} as never], x)).rejects.toThrow(/lsuv: layers\[0\] must be \{kernel: tf.Variable, forward\(x\)\}/);
    await expect(lsuv(layers, x, {tolerance: 0})).rejects.toThrow('lsuv: tolerance must be a finite number > 0, got 0');
    await expect(lsuv(layers, x, {maxIterations: 1.5})).rejects.toThrow('lsuv: maxIterations must be an integer >= 0, got 1.5');
    const dead: LsuvLayer = {kernel: vars[0], forward: (t) => tf.mul(t, 0)};
    await expect(lsuv([dead], x)).rejects.toThrow(/lsuv: output variance of layers\[0\] is 0/);
    await expectNoLeak(async () => {
      await lsuv(layers, x, {seed: 3});
    });
    tf.dispose([x, ...vars]);
  });
});
