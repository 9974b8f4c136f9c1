import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {gradLists, toMap, tolFor} from '../test/golden';
import {adaptiveClip} from './adaptive_clip';
import {unitwiseNorm} from './unitwise_norm';

describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradLists()) {
    for (const c of list.adaptive_grad_clip) {
      it(`${list.name}: AGC clip_factor ${c.clip_factor} matches timm adaptive_clip_grad`, () => {
        const grads = toMap(list, 'grad');
        const params = toMap(list, 'param');
        const out = adaptiveClip(grads, params, {clipFactor: c.clip_factor, eps: c.eps});
        c.tensors.forEach((e: {name: string; param_unitwise_norm: {shape: number[]}; clipped_grad: never; grad_unitwise_norm: never}) => {
          const pn = unitwiseNorm(params[e.name]);
          expect(pn.shape).toEqual(e.param_unitwise_norm.shape);
          expectClose(pn, goldenData(e.param_unitwise_norm as never), {rtol: 1e-5, atol: 1e-12});
          const gn = unitwiseNorm(grads[e.name]);
          expectClose(gn, goldenData(e.grad_unitwise_norm), {rtol: 1e-5, atol: 1e-12});
          expectClose(out[e.name], goldenData(e.clipped_grad), tolFor(list));
          tf.dispose([pn, gn]);
        });
        tf.dispose([grads, params, out]);
      });
    }
  }

  it('leaves excluded names unclipped (by name and by predicate)', () => {
    const list = gradLists()[0];
    const grads = toMap(list, 'grad');
    const params = toMap(list, 'param');
    const a = adaptiveClip(grads, params, {exclude: ['dense/kernel']});
    const b = adaptiveClip(grads, params, {exclude: (n) => n.startsWith('dense/')});
    const ref = adaptiveClip(grads, params);
    expectClose(a['dense/kernel'], grads['dense/kernel'], {rtol: 0, atol: 0});
    expect(a['dense/kernel']).not.toBe(grads['dense/kernel']);
    expectClose(a['conv/kernel'], ref['conv/kernel'], {rtol: 0, atol: 0});
    expectClose(b['dense/bias'], grads['dense/bias'], {rtol: 0, atol: 0});
    // the golden says dense/kernel is clipped at 0.01, so exclusion is visible
    expect(() => expectClose(ref['dense/kernel'], grads['dense/kernel'])).toThrow();
    tf.dispose([grads, params, a, b, ref]);
  });

  it('unitwiseNorm reduces every axis but the last (TF layouts)', () => {
    const dense = tf.tensor2d([[3, 0], [4, 1]]); // columns [3,4] and [0,1]
    const conv = tf.ones([2, 2, 3, 5]);
    const bias = tf.tensor1d([3, 4]);
    const n1 = unitwiseNorm(dense);
    const n2 = unitwiseNorm(conv);
    const n3 = unitwiseNorm(bias);
    const n4 = unitwiseNorm(dense, 'inf');
    const n5 = unitwiseNorm(dense, 1);
    expect(n1.shape).toEqual([1, 2]);
    expectClose(n1, [5, 1]);
    expect(n2.shape).toEqual([1, 1, 1, 5]);
    expectClose(n2, new Array(5).fill(Math.sqrt(12)));
    expect(n3.shape).toEqual([]);
    expectClose(n3, 5);
    expectClose(n4, [4, 1]);
    expectClose(n5, [7, 1]);
    tf.dispose([dense, conv, bias, n1, n2, n3, n4, n5]);
  });

  it('reads nothing back from the backend (no host sync) and does not leak', async () => {
    const list = gradLists()[0];
    const grads = toMap(list, 'grad');
    const params = toMap(list, 'param');
    const backend = tf.backend();
    const readSync = jest.spyOn(backend, 'readSync');
    const read = jest.spyOn(backend, 'read');
    try {
      tf.dispose(adaptiveClip(grads, params, {clipFactor: 0.01, exclude: ['conv/bias']}));
      expect(readSync).not.toHaveBeenCalled();
      expect(read).not.toHaveBeenCalled();
    } finally {
      readSync.mockRestore();
      read.mockRestore();
    }
    await expectNoLeak(() => adaptiveClip(grads, params));
    tf.dispose([grads, params]);
  });
});

describe('adaptiveClip errors', () => {
  it('rejects mismatched names and shapes and bad options', () => {
    const g = {a: tf.ones([2, 2])};
    const p = {b: tf.ones([2, 2])};
    const q = {a: tf.ones([2, 3])};
    const before = tf.memory().numTensors;
    expect(() => adaptiveClip(g, p)).toThrow(
      `adaptiveClip: params must have a tensor for every name in grads (["b"]), got none for 'a'`,
    );
    expect(() => adaptiveClip(g, q)).toThrow("adaptiveClip: params['a'] must have grads['a']'s shape [2,2], got a tensor of dtype float32, shape [2,3]");
    expect(() => adaptiveClip(g, g, {clipFactor: -1})).toThrow('adaptiveClip: clipFactor must be a finite number > 0, got -1');
    expect(() => adaptiveClip(g, g, {eps: NaN})).toThrow('adaptiveClip: eps must be a finite number >= 0, got NaN');
    expect(() => adaptiveClip(g, g, {exclude: 'a' as never})).toThrow('adaptiveClip: exclude must be an array of names or a function, got "a"');
    expect(() => adaptiveClip(g, undefined as never)).toThrow('adaptiveClip: params must be an object of tensors by name, got undefined');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([g, p, q]);
  });
  it('unitwiseNorm rejects a non-tensor and a bad normType', () => {
    expect(() => unitwiseNorm([1, 2] as never)).toThrow('unitwiseNorm: t must be a live tf.Tensor, got [1, 2]');
    const t = tf.ones([2]);
    expect(() => unitwiseNorm(t, 0 as never)).toThrow("unitwiseNorm: normType must be 1, 2 or 'inf', got 0");
    t.dispose();
  });
});
