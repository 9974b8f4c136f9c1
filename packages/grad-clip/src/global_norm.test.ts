import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {gradLists, toMap} from '../test/golden';
import {globalNorm} from './global_norm';

describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradLists()) {
    for (const c of list.clip_grad_norm) {
      it(`${list.name}: norm_type ${c.norm_type} equals PyTorch's total_norm`, () => {
        const grads = toMap(list, 'grad');
        const norm = globalNorm(grads, c.norm_type === 'inf' ? 'inf' : c.norm_type);
        expect(norm.shape).toEqual([]);
        expectClose(norm, c.total_norm, {rtol: 1e-5, atol: 0});
        tf.dispose([norm, grads]);
      });
    }
  }

  it('is 0 for an empty map and for all-zero grads', () => {
    const z = {a: tf.zeros([3, 2])};
    for (const p of [1, 2, 'inf'] as const) {
      const n0 = globalNorm({}, p);
      const n1 = globalNorm(z, p);
      expectClose(n0, 0, {atol: 0});
      expectClose(n1, 0, {atol: 0});
      tf.dispose([n0, n1]);
    }
    tf.dispose(z);
  });

  it('accepts Infinity as the inf norm', () => {
    // max |g| of [3, -4] and [1] is 4 (hand computed)
    const g = {a: tf.tensor1d([3, -4]), b: tf.tensor1d([1])};
    const n = globalNorm(g, Infinity as unknown as 'inf');
    expectClose(n, 4);
    tf.dispose([n, g]);
  });

  it('does not leak', async () => {
    const g = {a: tf.ones([4, 3]), b: tf.ones([3])};
    await expectNoLeak(() => globalNorm(g));
    await expectNoLeak(() => globalNorm(g, 'inf'));
    tf.dispose(g);
  });
});

describe('globalNorm errors', () => {
  it('rejects an unknown normType and non-tensor grads', () => {
    const g = {a: tf.ones([2])};
    expect(() => globalNorm(g, 0 as never)).toThrow("globalNorm: normType must be a finite number >= 1 or 'inf', got 0");
    expect(() => globalNorm(g, 'fro' as never)).toThrow(/normType must be a finite number >= 1 or 'inf', got "fro"/);
    expect(() => globalNorm({a: [1, 2]} as never)).toThrow("globalNorm: grads['a'] must be a Tensor, got [1, 2]");
    expect(() => globalNorm(null as never)).toThrow(/grads must be an object of tensors by name, got null/);
    tf.dispose(g);
  });
});
