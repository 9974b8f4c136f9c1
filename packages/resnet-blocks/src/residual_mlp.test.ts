import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {residualMlp} from './residual_mlp';

type Mode = 'rezero' | 'skipinit' | 'fixup' | 'plain';
const build = (mode: Mode, depth: number, name: string) =>
  residualMlp({
    depth, width: 16, name,
    gate: mode === 'rezero' || mode === 'skipinit' ? mode : 'none',
    fixup: mode === 'fixup',
  });

describeBackends(['cpu', 'wasm'], () => {
  for (const mode of ['rezero', 'skipinit', 'fixup'] as const) {
    it(`a ${mode} stack of 1000 blocks is exactly the identity at init, and so is its input gradient`, () => {
      const net = build(mode, 1000, `id_${mode}`);
      const x = tf.randomNormal([8, 16]);
      const up = tf.randomNormal([8, 16]);
      try {
        const y = net.apply(x, {training: true});
        const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(net.apply(v, {training: true}), up)))(x);
        // branch output is exactly 0 (alpha = 0, or Fixup's zero last layer): y = x + 0 bit for bit
        expect(tf.max(tf.abs(tf.sub(y, x))).dataSync()[0]).toBe(0);
        expect(Array.from(dx.dataSync())).toEqual(Array.from(up.dataSync()));
        tf.dispose([y, dx]);
      } finally {
        tf.dispose([x, up]);
        net.dispose();
      }
    });
  }

  it('Fixup scales the first layer by L^(-1/2), zeroes the last, and starts biases at 0 and scale at 1', () => {
    const net = residualMlp({depth: 16, width: 3, hidden: 2, name: 'fx', fixup: true, kernelInit: (s) => tf.ones(s)});
    const v = new Map(net.variables.map((w) => [w.name, w]));
    // m = 2 layers per branch, L = 16: 16^(-1/(2*2-2)) = 0.25
    expectClose(v.get('fx/block5/dense1/kernel')!, new Array(6).fill(0.25), {rtol: 0, atol: 0});
    expectClose(v.get('fx/block5/dense2/kernel')!, new Array(6).fill(0), {rtol: 0, atol: 0});
    expectClose(v.get('fx/block5/dense2/bias')!, [0, 0, 0], {rtol: 0, atol: 0});
    for (const k of ['bias1', 'bias2', 'bias3', 'bias4']) expectClose(v.get(`fx/block5/fixup/${k}`)!, 0, {rtol: 0, atol: 0});
    expectClose(v.get('fx/block5/fixup/scale')!, 1, {rtol: 0, atol: 0});
    expect(net.blocks.length).toBe(16);
    expect(net.variables.length).toBe(16 * 9);
    net.dispose();
  });
});

// 200 blocks x 100 SGD steps is op-overhead bound (~0.3-1.3 s/step on this shared 2-core box),
// so it runs on wasm only (the backend the umbrella trains on).
describeBackends(['wasm'], () => {
  const train = (mode: Mode, steps: number, stopOnNonFinite: boolean) => {
    const net = build(mode, 200, `train_${mode}`);
    const x = tf.randomNormal([8, 16], 0, 1, 'float32', 1);
    const target = tf.randomNormal([8, 16], 0, 1, 'float32', 2);
    const opt = tf.train.sgd(0.01);
    const losses: number[] = [];
    try {
      for (let i = 0; i < steps; i++) {
        const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(net.apply(x, {training: true}), target))) as tf.Scalar, true)!;
        losses.push(loss.dataSync()[0]);
        loss.dispose();
        if (stopOnNonFinite && !Number.isFinite(losses[i])) break;
      }
    } finally {
      tf.dispose([x, target]);
      opt.dispose();
      net.dispose();
    }
    return losses;
  };

  for (const mode of ['rezero', 'fixup'] as const) {
    it(`a 200-block ${mode} MLP without normalisation trains 100 SGD steps with finite, falling loss`, async () => {
      let losses: number[] = [];
      await expectNoLeak(() => { losses = train(mode, 100, false); });
      console.log(`[wasm] 200-block ${mode} MLP, SGD lr 0.01: loss ${losses[0]} -> ${losses[99]}`);
      expect(losses.length).toBe(100);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[99]).toBeLessThan(losses[0]);
    }, 600_000);
  }

  it('the plain 200-block MLP (no gate, no Fixup, no norm) is measured: its loss blows up within 3 steps', () => {
    const losses = train('plain', 100, true);
    // measured (He-uniform init): each block roughly doubles the activation variance, so the
    // step-0 loss is ~1e35 or already overflows float32 (2^200 >> 3.4e38); one run gave
    // 8.55e35 then NaN at step 1. The loop stops at the first non-finite loss.
    console.log(`[wasm] plain 200-block MLP: losses until the first non-finite one: ${losses.join(', ')}`);
    expect(losses.length).toBeLessThanOrEqual(3);
    expect(Number.isFinite(losses[losses.length - 1])).toBe(false);
    expect(!(losses[0] < 1e20)).toBe(true); // huge or non-finite from the very first forward pass
  }, 120_000);
});
