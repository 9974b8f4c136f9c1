import * as tf from '@tensorflow/tfjs-core';
import {excludeNormAndBias, isNormOrBias} from './exclude_norm_and_bias';
import {selectParams} from './select_params';

describe('excludeNormAndBias', () => {
  const shapes: {[name: string]: number[]} = {
    'block3/conv1/kernel': [3, 3, 4, 4], // decayed
    'block3/conv1/bias': [4], // rank 1 and name
    'block3/bn1/gamma': [4],
    'block3/bn1/beta': [4],
    'block3/bn1/moving_mean': [4],
    'dense/kernel': [4, 2], // decayed
    'layer_norm/scale': [2, 2], // 2-D, but under a norm layer
    'attn/bias': [2, 2], // 2-D, but named bias
    'gate/alpha': [], // scalar gate (ReZero): rank 0
    'embed/embeddings': [10, 4], // decayed
  };
  let params: tf.NamedTensorMap;
  beforeAll(() => {
    params = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, tf.zeros(s)]));
  });
  afterAll(() => tf.dispose(Object.values(params)));

  it('keeps exactly the kernels and embeddings (timm rule + TF.js names)', () => {
    expect(selectParams(params, excludeNormAndBias)).toEqual(['block3/conv1/kernel', 'dense/kernel', 'embed/embeddings']);
  });

  it('combines with globs', () => {
    expect(selectParams(params, {exclude: [isNormOrBias, 'embed/**']})).toEqual(['block3/conv1/kernel', 'dense/kernel']);
  });

  it('does not treat names that merely contain bias/bn as norm parameters', () => {
    const k = tf.zeros([2, 2]);
    expect(isNormOrBias('bias_net/kernel', k)).toBe(false);
    expect(isNormOrBias('bnx/kernel', k)).toBe(false);
    expect(isNormOrBias('bn12/kernel', k)).toBe(true);
    expect(isNormOrBias('GroupNorm/w', k)).toBe(true);
    k.dispose();
  });
});
