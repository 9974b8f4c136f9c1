import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {gradLists, toMap, tolFor} from '../test/golden';
import {clipByValue} from './clip_by_value';

describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradLists()) {
    for (const c of list.clip_grad_value) {
      it(`${list.name}: clip_grad_value_(${c.clip_value}) matches PyTorch`, () => {
        const grads = toMap(list, 'grad');
        const out = clipByValue(grads, c.clip_value);
        const out2 = clipByValue(grads, {min: -c.clip_value, max: c.clip_value});
        list.tensors.forEach((t, i) => {
          expectClose(out[t.name], goldenData(c.clipped_grads[i]), tolFor(list));
          expectClose(out2[t.name], goldenData(c.clipped_grads[i]), tolFor(list));
        });
        tf.dispose([grads, out, out2]);
      });
    }
  }

  it('accepts asymmetric {min, max} and does not leak', async () => {
    const g = {a: tf.tensor1d([-3, -0.5, 0.5, 3])};
    const out = clipByValue(g, {min: -1, max: 0.2});
    expectClose(out.a, [-1, -0.5, 0.2, 0.2]); // clamp by hand
    await expectNoLeak(() => clipByValue(g, 1));
    tf.dispose([g, out]);
  });
});

describe('clipByValue errors', () => {
  it('rejects bad bounds before making tensors', () => {
    const g = {a: tf.ones([2])};
    const before = tf.memory().numTensors;
    expect(() => clipByValue(g, -1)).toThrow('clipByValue: clipValue must be a finite number >= 0, got -1');
    expect(() => clipByValue(g, NaN)).toThrow('clipByValue: clipValue must be a finite number >= 0, got NaN');
    expect(() => clipByValue(g, {min: 5, max: 3})).toThrow('clipByValue: clipValue.max must be >= clipValue.min (5), got 3');
    expect(() => clipByValue(g, {min: NaN, max: 3})).toThrow('clipByValue: clipValue.min must be a number, got NaN');
    expect(() => clipByValue(g, 'x' as never)).toThrow('clipByValue: clipValue must be a number >= 0 or {min, max}, got "x"');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(g);
  });
});
