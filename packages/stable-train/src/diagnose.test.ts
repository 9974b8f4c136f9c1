import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {diagnose} from './diagnose';
import {mlp} from './models';

describeBackends(['cpu', 'wasm'], (backend) => {
  it('calls a deep tanh MLP with N(0,1) init exploding and a He-init ReLU MLP not', async () => {
    const x = tf.randomNormal([32, 16], 0, 1, 'float32', 3);
    const y = tf.tensor1d(Array.from({length: 32}, (_, i) => i % 4), 'int32');
    const bad = mlp({inputs: 16, hidden: new Array(12).fill(16), outputs: 4, activation: 'tanh', kernelInit: {name: 'normal', std: 1}, name: `dbad-${backend}`});
    const good = mlp({inputs: 16, hidden: new Array(12).fill(16), outputs: 4, activation: 'relu', kernelInit: 'he_normal', name: `dgood-${backend}`});
    let d: Awaited<ReturnType<typeof diagnose>> | undefined;
    await expectNoLeak(async () => {
      d = await diagnose(bad, {x, y}, {steps: 3});
    });
    expect(d!.status).toBe('exploding');
    expect(d!.verdict).toMatch(/grows .*× per layer from the output.*exploding; use He init/);
    expect(d!.growthPerLayer).toBeGreaterThan(1.2);
    expect(d!.activationNorms.length).toBeGreaterThan(12);
    const g = await diagnose(good, {x, y}, {steps: 2});
    expect(g.status).not.toBe('exploding');
    tf.dispose([x, y]);
    bad.dispose();
    good.dispose();
  });
});
