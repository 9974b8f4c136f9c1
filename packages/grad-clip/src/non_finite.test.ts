import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {allFinite} from './all_finite';
import {zeroNonFinite} from './zero_non_finite';

describeBackends(['cpu', 'wasm'], () => {
  it('allFinite is true only when every element of every tensor is finite', () => {
    const good = {a: tf.ones([2, 2]), b: tf.tensor1d([-1e30, 0])};
    const cases: [tf.NamedTensorMap, boolean][] = [
      [good, true],
      [{}, true],
      [{...good, c: tf.tensor1d([1, NaN])}, false],
      [{...good, c: tf.tensor1d([Infinity])}, false],
      [{c: tf.tensor1d([-Infinity]), d: tf.ones([3])}, false],
    ];
    for (const [grads, expected] of cases) {
      const ok = allFinite(grads);
      expect(ok.dtype).toBe('bool');
      expect(ok.shape).toEqual([]);
      expect(ok.dataSync()[0]).toBe(expected ? 1 : 0);
      ok.dispose();
    }
    tf.dispose(cases.map((c) => c[0]));
  });

  it('zeroNonFinite zeroes NaN and ±Infinity and keeps the rest', async () => {
    const g = {a: tf.tensor1d([1, NaN, -2, Infinity, -Infinity, 3e38])};
    const out = zeroNonFinite(g);
    expectClose(out.a, [1, 0, -2, 0, 0, 3e38], {rtol: 1e-7, atol: 0});
    await expectNoLeak(() => zeroNonFinite(g));
    await expectNoLeak(() => allFinite(g));
    tf.dispose([g, out]);
  });
});

describe('non-finite helpers errors', () => {
  it('reject non-tensor maps', () => {
    expect(() => allFinite([] as never)).toThrow('allFinite: grads must be an object of tensors by name, got []');
    expect(() => zeroNonFinite({x: 'y'} as never)).toThrow(`zeroNonFinite: grads['x'] must be a Tensor, got "y"`);
  });
});
