import * as tf from '@tensorflow/tfjs-core';
import {expectClose, useBackend} from '@stable-train/testing';
import {softmaxCrossEntropy} from '../losses';
import {residualCnn} from '../models';
import {buildRun} from './build_run';
import {parseRunConfig} from './config';

// Issue 23's pieces reach the CLI/Trainer config: stochastic depth, LayerScale, SE, pre/post-activation,
// instance norm, per-parameter / block-RMS clipping, label smoothing and ignored labels.
const base = {data: {type: 'twoSpirals', samples: 40}, optimizer: {type: 'sgd', lr: 0.1}, train: {batchSize: 8, steps: 1}};

describe('issue 23 options in the run config', () => {
  beforeAll(() => useBackend('cpu'));

  it('residual_mlp with dropPath and layerScale, label smoothing, per_param clipping', async () => {
    const c = parseRunConfig({
      ...base, name: 'arch_mlp', model: {type: 'residualMlp', width: 8, depth: 3, dropPath: 0.2, layerScale: 1e-5},
      clip: {mode: 'perParam', maxNorm: 1, normType: 3}, loss: {labelSmoothing: 0.1, ignoreIndex: -100},
    });
    const run = await buildRun(c);
    const names = run.model.variables.map((v) => v.name);
    expect(names.filter((n) => n.endsWith('layer_scale/gamma')).length).toBe(3);
    const loss = run.trainerOptions.loss as (a: tf.Tensor, b: tf.Tensor) => tf.Scalar;
    expect(typeof loss).toBe('function');
    const logits = tf.tensor2d([[1, 2], [0, -1]]);
    const labels = tf.tensor1d([1, -100], 'int32');
    const a = loss(labels, logits);
    const b = softmaxCrossEntropy(labels, logits, {labelSmoothing: 0.1, ignoreIndex: -100});
    expectClose(a, b.dataSync()[0], {rtol: 0, atol: 0});
    tf.dispose([logits, labels, a, b]);
    run.dispose();
    run.model.dispose();
  });

  it('residual_cnn accepts dropPath, layerScale, squeezeExcite, preAct, instance norm; block_rms clipping', () => {
    const c = parseRunConfig({
      ...base, model: {type: 'residualCnn', stem: 4, stages: [{filters: 4, blocks: 2}], norm: 'instance', dropPath: 0.1, layerScale: 1e-6, squeezeExcite: 2, preAct: false},
      clip: {mode: 'blockRms', threshold: 1},
    });
    expect(c.model).toMatchObject({dropPath: 0.1, squeezeExcite: 2, preAct: false, norm: 'instance'});
    expect(() => parseRunConfig({...base, model: {type: 'residualMlp', width: 8, depth: 2, dropPath: 2}})).toThrow(/model\.dropPath: Too big/);
    expect(() => parseRunConfig({...base, model: {type: 'mlp', hidden: [4]}, loss: {labelSmoothing: 1.5}})).toThrow(/loss\.labelSmoothing: Too big/);
    const model = residualCnn({inputShape: [6, 6, 1], stem: 4, stages: [{filters: 4, blocks: 2}], outputs: 3, norm: 'instance',
      dropPath: 0.1, layerScale: 1e-6, squeezeExcite: 2, preAct: false, name: 'arch_cnn'});
    const names = model.variables.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['arch_cnn/body/stage0/block1/se/fc1/kernel', 'arch_cnn/body/stage0/block0/layer_scale/gamma']));
    const y = model.apply(tf.ones([2, 6, 6, 1]), {training: true});
    expect(y.shape).toEqual([2, 3]);
    tf.dispose(y);
    model.dispose();
  });
});
