import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import {BatchNorm} from '@stable-train/batchnorm';
import {residualDense} from './residual_dense';

// the injected norm: @stable-train/batchnorm (PyTorch conventions, eps 1e-5)
const batchNorm = (channels: number, name: string) => new BatchNorm({channels, name});

// goldens README §7: pre-activation dense block with training-mode BN, PyTorch 1.13 float64.
const golden = loadGolden('residual');
// golden input name -> variable name suffix inside the block
const PARAMS: Record<string, string> = {
  W1: 'dense1/kernel', b1: 'dense1/bias', W2: 'dense2/kernel', b2: 'dense2/bias',
  bn1_gamma: 'norm1/gamma', bn1_beta: 'norm1/beta', bn2_gamma: 'norm2/gamma', bn2_beta: 'norm2/beta',
};
const GRAD_TOL = {rtol: 1e-4, atol: 1e-5}; // README §1: grads through BN/residual

describeBackends(['cpu', 'wasm'], () => {
  for (const c of golden.cases) {
    it(`matches PyTorch for case ${c.name}: y, dx, 8 parameter grads${c.alpha !== null ? ', dalpha' : ''}`, () => {
      const [n, d] = golden.inputs.x.shape;
      const h = golden.inputs.W1.shape[1];
      const block = residualDense({
        units: d, hidden: h, name: 'golden', norm: (channels, name) => new BatchNorm({channels, name, eps: golden.eps}),
        gate: c.alpha === null ? 'none' : {init: c.alpha},
      });
      const x = tf.variable(goldenTensor(golden.inputs.x), true, 'golden_input');
      const up = goldenTensor(golden.inputs.upstream_grad);
      try {
        const byName = new Map(block.variables.map((v) => [v.name, v]));
        for (const [key, suffix] of Object.entries(PARAMS)) {
          const t = goldenTensor(golden.inputs[key]);
          byName.get(`golden/${suffix}`)!.assign(t);
          t.dispose();
        }
        expect(x.shape).toEqual([n, d]);
        const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(block.apply(x, {training: true}), up)));
        const y = block.apply(x, {training: true});
        expectClose(y, goldenData(c.y)); // README: residual y rel 1e-5 + abs 1e-6
        expectClose(grads['golden_input'], goldenData(c.dx), GRAD_TOL);
        for (const [key, suffix] of Object.entries(PARAMS)) {
          // b1 is mathematically 0 (bias before a training-mode BN cancels): absolute tolerance only
          const tol = key === 'b1' ? {rtol: 0, atol: 1e-5} : GRAD_TOL;
          expectClose(grads[`golden/${suffix}`], goldenData(c.param_grads[key]), tol);
        }
        if (c.alpha !== null) {
          expectClose(grads['golden/gate/alpha'], c.dalpha, GRAD_TOL);
        } else {
          expect(grads['golden/gate/alpha']).toBeUndefined();
        }
        if (c.alpha === 0) {
          // y = x and dx = upstream exactly (README §7: alpha = 0 case)
          expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
          expect(Array.from(grads['golden_input'].dataSync())).toEqual(Array.from(up.dataSync()));
        }
        tf.dispose([value, y, ...Object.values(grads)]);
      } finally {
        tf.dispose([up, x]);
        block.dispose();
      }
    });
  }

  it('names its variables as documented, with a projection when inputUnits differs', () => {
    const b = residualDense({units: 4, hidden: 3, inputUnits: 6, name: 'names', gate: 'rezero'});
    expect(b.variables.map((v) => [v.name, v.shape])).toEqual([
      ['names/dense1/kernel', [6, 3]], ['names/dense1/bias', [3]],
      ['names/dense2/kernel', [3, 4]], ['names/dense2/bias', [4]],
      ['names/shortcut/kernel', [6, 4]], ['names/gate/alpha', []],
    ]);
    const y = b.apply(tf.ones([2, 6]), {training: false});
    expect(y.shape).toEqual([2, 4]);
    tf.dispose(y);
    b.dispose();
  });

  it('leaks nothing over 100 apply calls inside tf.variableGrads', async () => {
    const b = residualDense({units: 5, hidden: 6, name: 'leak', norm: batchNorm, gate: 'rezero'});
    const x = tf.randomNormal([7, 5]);
    await expectNoLeak(() => {
      for (let i = 0; i < 100; i++) {
        const {value, grads} = tf.variableGrads(() => tf.sum(b.apply(x, {training: true})));
        tf.dispose([value, ...Object.values(grads)]);
      }
    });
    tf.dispose(x);
    b.dispose();
  });
});

describe('residualDense validation', () => {
  const bad: [string, unknown, RegExp][] = [
    ['no options', undefined, /^residualDense: options must be an object, got undefined$/],
    ['empty name', {units: 4, name: ''}, /^residualDense: name must be a non-empty string, got ""$/],
    ['units 0', {units: 0, name: 'b3'}, /^residualDense\(b3\): units must be an integer >= 1, got 0$/],
    ['hidden 2.5', {units: 4, hidden: 2.5, name: 'b3'}, /hidden must be an integer >= 1, got 2\.5/],
    ['gate typo', {units: 4, name: 'b3', gate: 'rezro'}, /^residualDense\(b3\): gate must be .*got "rezro"$/],
    ['gate init NaN', {units: 4, name: 'b3', gate: {init: NaN}}, /gate must be/],
    ['activation typo', {units: 4, name: 'b3', activation: 'rlu'}, /activation must be one of relu.*got "rlu"/],
    ['norm not a function', {units: 4, name: 'b3', norm: 3}, /norm must be a function, got 3/],
    ['fixup numBlocks 0', {units: 4, name: 'b3', fixup: {numBlocks: 0}}, /fixup.numBlocks must be an integer >= 1, got 0/],
    ['fixup + norm', {units: 4, name: 'b3', fixup: {numBlocks: 2}, norm: () => null}, /norm must be left out with fixup/],
    ['fixup + gate', {units: 4, name: 'b3', fixup: {numBlocks: 2}, gate: 'rezero'}, /gate must be 'none' with fixup/],
  ];
  for (const [what, opts, msg] of bad) {
    it(`rejects ${what} before making any tensor`, () => {
      const before = tf.memory().numTensors;
      expect(() => residualDense(opts as never)).toThrow(msg);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('rejects a name already in use, and a wrong-shape initializer, without leaking', () => {
    const a = residualDense({units: 3, name: 'dup'});
    const before = tf.memory().numTensors;
    expect(() => residualDense({units: 3, name: 'dup'})).toThrow(/residualDense\(dup\): name must not be in use, got one whose variable 'dup\/dense1\/kernel' already exists/);
    expect(() => residualDense({units: 3, name: 'dup2', biasInit: () => tf.zeros([2])})).toThrow(
      /residualDense\(dup2\): biasInit must return a tensor of shape \[3\] for 'dup2\/dense1\/bias', got shape \[2\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    expect(tf.memory().numTensors).toBe(before - a.variables.length);
  });

  it('names the block in shape errors', () => {
    const b = residualDense({units: 5, hidden: 6, name: 'block7'});
    const x = tf.zeros([2, 4]);
    expect(() => b.apply(x, {training: false})).toThrow('residualDense(block7): input must be a float32 tensor of shape [batch, 5], got a tensor of dtype float32, shape [2,4]');
    tf.dispose(x);
    b.dispose();
  });
});
