import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {diagnose, type Diagnosis} from './diagnose';
import {mlp, residualMlp} from './models';

describeBackends(['cpu', 'wasm'], (backend) => {
  const data = (): {x: tf.Tensor; y: tf.Tensor} => ({
    x: tf.randomNormal([32, 16], 0, 1, 'float32', 3),
    y: tf.tensor1d(Array.from({length: 32}, (_, i) => i % 4), 'int32'),
  });

  it('calls a deep tanh MLP with N(0,1) init exploding (gradients) and a He-init ReLU MLP healthy', async () => {
    const {x, y} = data();
    const bad = mlp({inputs: 16, hidden: new Array(12).fill(16), outputs: 4, activation: 'tanh', kernelInit: {name: 'normal', std: 1}, name: `dbad-${backend}`});
    const good = mlp({inputs: 16, hidden: new Array(12).fill(16), outputs: 4, activation: 'relu', kernelInit: 'he_normal', name: `dgood-${backend}`});
    let d: Diagnosis | undefined;
    await expectNoLeak(async () => {
      d = await diagnose(bad, {x, y}, {steps: 3});
    });
    expect(d!.status).toBe('exploding');
    expect(d!.verdict).toMatch(/^gradient norm grows .*× per layer from the output.*exploding; use He init/);
    expect(d!.verdict).toMatch(/clip the global norm at ≈ the p90 norm/);
    expect(d!.growthPerLayer).toBeGreaterThan(1.2);
    // tanh saturates: the forward pass itself does not explode
    expect(d!.forwardGrowthPerLayer).toBeLessThan(1.5);
    expect(d!.activationNorms.length).toBeGreaterThan(12);
    const g = await diagnose(good, {x, y}, {steps: 2});
    expect(g.status).toBe('healthy');
    expect(g.verdict).toMatch(/^healthy: activations change .*× per layer, gradient norm changes/);
    tf.dispose([x, y]);
    bad.dispose();
    good.dispose();
  });

  it('calls a plain 16-layer ReLU MLP with N(0,1) init an exploding forward pass, not healthy', async () => {
    const {x, y} = data();
    const naive = mlp({inputs: 16, hidden: new Array(16).fill(28), outputs: 4, kernelInit: {name: 'normal', std: 1}, name: `dnaive-${backend}`});
    let d: Diagnosis | undefined;
    await expectNoLeak(async () => {
      d = await diagnose(naive, {x, y}, {steps: 2});
    });
    // weight-gradient norms barely change across layers (the old, misleading signal) ...
    expect(d!.growthPerLayer).toBeGreaterThan(0.8);
    expect(d!.growthPerLayer).toBeLessThan(1.2);
    // ... but activations grow ≈ sqrt(28/2) ≈ 3.7× per layer and the loss is astronomical
    expect(d!.forwardGrowthPerLayer).toBeGreaterThan(2.5);
    expect(d!.loss).toBeGreaterThan(1e6);
    expect(d!.chanceLoss).toBeCloseTo(Math.log(4));
    expect(d!.status).toBe('exploding');
    expect(d!.verdict).toMatch(/^activations grow \d\.\d\d× per layer \(RMS .* at the input, .* at the output\): exploding forward pass; /);
    expect(d!.verdict).toMatch(/the loss at init is .*× chance level ln C = 1\.39: the logits are far too large/);
    expect(d!.verdict).toMatch(/use He\/Glorot init \(std sqrt\(2\/fan_in\) for ReLU.*normalisation \(batch\/layer norm\) or residual gates/);
    tf.dispose([x, y]);
    naive.dispose();
  });

  it('calls a He-init residual MLP with layer norm and residual gates (init 0.1) healthy', async () => {
    const {x, y} = data();
    const res = residualMlp({inputs: 16, width: 16, depth: 8, outputs: 4, norm: 'layer', gate: {init: 0.1}, name: `dres-${backend}`});
    const d = await diagnose(res, {x, y}, {steps: 2});
    expect(d.status).toBe('healthy');
    expect(d.findings).toEqual([]);
    expect(d.forwardGrowthPerLayer).toBeGreaterThan(0.67);
    expect(d.forwardGrowthPerLayer).toBeLessThan(1.5);
    tf.dispose([x, y]);
    res.dispose();
  });
});
