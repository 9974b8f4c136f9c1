import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {gradLists, toMap, tolFor} from '../test/golden';
import {clipByNorm} from './clip_by_norm';

describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradLists()) {
    for (const c of list.per_tensor_clip_norm) {
      it(`${list.name}: per-tensor clipnorm ${c.clip_norm} matches the reference (Keras semantics)`, () => {
        const grads = toMap(list, 'grad');
        const out = clipByNorm(grads, c.clip_norm);
        list.tensors.forEach((t, i) => {
          expectClose(out[t.name], goldenData(c.clipped_grads[i]), tolFor(list));
          const n = tf.norm(out[t.name]);
          expectClose(n, c.per_tensor_norm_after[i], {rtol: 1e-5, atol: 0});
          n.dispose();
        });
        tf.dispose([grads, out]);
      });
    }
  }

  it('keeps zero tensors at zero and does not leak', async () => {
    const g = {z: tf.zeros([2, 2]), a: tf.tensor1d([3, 4])};
    const out = clipByNorm(g, 1);
    expectClose(out.z, [0, 0, 0, 0], {atol: 0});
    expectClose(out.a, [0.6, 0.8]); // [3,4]/5
    await expectNoLeak(() => clipByNorm(g, 1));
    tf.dispose([g, out]);
  });
});

describe('clipByNorm errors', () => {
  it('rejects a bad maxNorm', () => {
    const g = {a: tf.ones([2])};
    expect(() => clipByNorm(g, -2)).toThrow('clipByNorm: maxNorm must be a finite number > 0, got -2');
    expect(() => clipByNorm(g, NaN)).toThrow('clipByNorm: maxNorm must be a finite number > 0, got NaN');
    tf.dispose(g);
  });
});
