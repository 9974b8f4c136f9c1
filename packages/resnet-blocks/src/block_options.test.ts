import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import type {ResidualBlock} from './residual_block';
import {residualCnn} from './residual_cnn';
import {residualConv} from './residual_conv';
import {residualDense} from './residual_dense';
import {residualMlp} from './residual_mlp';

const vars = (b: {variables: tf.Variable[]}) => new Map(b.variables.map((v) => [v.name, v]));

describeBackends(['cpu', 'wasm'], (backend) => {
  it('dropPath on a block: rate 1 in training leaves the shortcut, inference keeps the branch', () => {
    const blk = residualDense({units: 4, name: `${backend}/dp`, dropPath: 1});
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 1);
    const yTrain = blk.apply(x, {training: true});
    expectClose(yTrain, x.dataSync(), {rtol: 0, atol: 0}); // every branch dropped: y = x
    const ref = residualDense({units: 4, name: `${backend}/dp_ref`});
    const v = vars(blk);
    for (const w of ref.variables) tf.tidy(() => w.assign(v.get(w.name.replace('dp_ref', 'dp'))!));
    const yEval = blk.apply(x, {training: false});
    const yRef = ref.apply(x, {training: false});
    expectClose(yEval, yRef.dataSync(), {rtol: 0, atol: 0});
    expect(blk.dropRate).toBe(1);
    tf.dispose([x, yTrain, yEval, yRef]);
    blk.dispose();
    ref.dispose();
  });

  it('layerScale: γ = initValue per output channel; y = s(x) + γ ⊙ F(x)', () => {
    const blk = residualConv({filters: 4, inChannels: 2, name: `${backend}/ls`, layerScale: 1e-6});
    const gamma = vars(blk).get(`${backend}/ls/layer_scale/gamma`)!;
    expect(gamma.shape).toEqual([4]);
    expectClose(gamma, [1e-6, 1e-6, 1e-6, 1e-6], {rtol: 1e-6});
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 2);
    tf.tidy(() => gamma.assign(tf.zeros([4])));
    // γ = 0: only the projection shortcut remains
    const y0 = blk.apply(x, {training: false});
    const proj = vars(blk).get(`${backend}/ls/shortcut/kernel`)!;
    const sc = tf.conv2d(tf.relu(x) as tf.Tensor4D, proj as tf.Tensor4D, 1, 'valid');
    expectClose(y0, sc.dataSync(), {rtol: 1e-6, atol: 1e-6});
    tf.dispose([x, y0, sc]);
    blk.dispose();
  });

  it('squeezeExcite on a conv block: variables under name/se, applied to the branch; leaks nothing', async () => {
    const blk = residualConv({filters: 8, name: `${backend}/se_blk`, squeezeExcite: 4});
    const names = blk.variables.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias'].map((n) => `${backend}/se_blk/se/${n}`)));
    expect(vars(blk).get(`${backend}/se_blk/se/fc1/kernel`)!.shape).toEqual([8, 2]);
    const x = tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 3);
    await expectNoLeak(() => blk.apply(x, {training: true}));
    await expectNoLeak(() => {
      const r = tf.variableGrads(() => tf.sum(blk.apply(x, {training: true})) as tf.Scalar,
        blk.variables.filter((v) => !v.name.includes('/conv') && !v.name.includes('shortcut')));
      tf.dispose([r.value, r.grads]);
    });
    tf.dispose(x);
    blk.dispose();
  });

  it('preAct: false is the post-activation block y = act(x + W2 act(W1 x + b1) + b2)', () => {
    const blk = residualDense({units: 3, name: `${backend}/post`, preAct: false});
    const v = vars(blk);
    const x = tf.randomNormal([4, 3], 0, 1, 'float32', 4);
    const y = blk.apply(x, {training: false});
    const [w1, b1, w2, b2] = ['dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias'].map((n) => v.get(`${backend}/post/${n}`)!);
    const ref = tf.tidy(() => tf.relu(tf.add(x, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1)), w2 as tf.Tensor2D), b2))));
    expectClose(y, ref.dataSync(), {rtol: 1e-6, atol: 1e-6});
    tf.dispose([x, y, ref]);
    blk.dispose();
  });

  it('post-activation norms see each layer output (channels of the output)', () => {
    const seen: number[] = [];
    const norm = (c: number) => {
      seen.push(c);
      return {apply: (t: tf.Tensor) => tf.clone(t), variables: [], dispose: () => undefined};
    };
    const blk = residualConv({filters: 6, inChannels: 2, name: `${backend}/post_norm`, preAct: false, norm});
    expect(seen).toEqual([6, 6]);
    blk.dispose();
    seen.length = 0;
    const pre = residualConv({filters: 6, inChannels: 2, name: `${backend}/pre_norm`, norm});
    expect(seen).toEqual([2, 6]);
    pre.dispose();
  });

  it('residualCnn / residualMlp: stochastic depth rate rises linearly with depth (timm)', () => {
    const cnn = residualCnn({name: `${backend}/sd_cnn`, inChannels: 4, stages: [{filters: 4, blocks: 2}, {filters: 8, blocks: 3}], dropPath: 0.2, preAct: true});
    expect(cnn.blocks.map((b) => (b as ResidualBlock).dropRate)).toEqual([0, 0.05, 0.1, 0.15000000000000002, 0.2]);
    const mlp = residualMlp({name: `${backend}/sd_mlp`, depth: 3, width: 4, dropPath: 0.1, layerScale: 1e-5});
    expect(mlp.blocks.map((b) => (b as ResidualBlock).dropRate)).toEqual([0, 0.05, 0.1]);
    expect(mlp.variables.filter((v) => v.name.endsWith('layer_scale/gamma')).length).toBe(3);
    const x = tf.ones([2, 8, 8, 4]);
    const y = cnn.apply(x, {training: true});
    expect(y.shape).toEqual([2, 4, 4, 8]);
    tf.dispose([x, y]);
    cnn.dispose();
    mlp.dispose();
  });
});

describe('block option checks', () => {
  it('names the bad option and value', () => {
    expect(() => residualDense({units: 2, name: 'bo1', dropPath: 2})).toThrow('residualDense(bo1): dropPath must be a number in [0, 1], got 2');
    expect(() => residualDense({units: 2, name: 'bo2', layerScale: Infinity})).toThrow('residualDense(bo2): layerScale must be a finite float32 number (the initial γ), got Infinity');
    expect(() => residualConv({filters: 2, name: 'bo3', squeezeExcite: 0})).toThrow('residualConv(bo3): squeezeExcite must be a finite number >= 1 (the reduction ratio), got 0');
    expect(() => residualDense({units: 2, name: 'bo4', squeezeExcite: 4})).toThrow('residualDense(bo4): squeezeExcite must be left out of a dense block (it needs NHWC conv blocks), got 4');
    expect(() => residualDense({units: 2, name: 'bo5', preAct: false, fixup: {numBlocks: 2}})).toThrow(/preAct must be true with fixup/);
    expect(Object.keys(tf.engine().registeredVariables).filter((n) => n.startsWith('bo'))).toEqual([]);
  });
});
