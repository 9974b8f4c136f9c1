import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {gradListsV2, toMapV2, tolForV2} from '../test/golden_v2';
import {clipByBlockRms} from './clip_by_block_rms';
import {createClipper} from './create_clipper';

describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradListsV2()) {
    for (const c of list.optax_clip_by_block_rms) {
      it(`${list.name}: optax clip_by_block_rms(${c.threshold}) matches the numpy port`, () => {
        const grads = toMapV2(list);
        const a = clipByBlockRms(grads, c.threshold);
        const b = createClipper({mode: 'blockRms', threshold: c.threshold})(grads);
        list.tensors.forEach((t, i) => {
          expectClose(a[t.name], goldenData(c.clipped_grads[i]), tolForV2(list));
          expectClose(b[t.name], goldenData(c.clipped_grads[i]), tolForV2(list));
        });
        tf.dispose([grads, a, b]);
      });
    }
  }

  it('by hand: rms([3, 4]) = √12.5; an empty tensor stays empty; no leak', () => {
    const grads = {a: tf.tensor1d([3, 4]), e: tf.zeros([0])};
    const out = clipByBlockRms(grads, 1);
    const r = Math.sqrt(12.5);
    expectClose(out.a, [3 / r, 4 / r]);
    expect(out.e.shape).toEqual([0]);
    expectNoLeak(() => tf.dispose(clipByBlockRms(grads, 0.5)));
    tf.dispose([grads, out]);
  });
});

describe('clipByBlockRms argument checks', () => {
  it('names the argument and the value', () => {
    const grads = {w: tf.ones([2])};
    expect(() => clipByBlockRms(grads, -1)).toThrow('clipByBlockRms: threshold must be a finite number > 0, got -1');
    expect(() => clipByBlockRms(grads, NaN)).toThrow('clipByBlockRms: threshold must be a finite number > 0, got NaN');
    expect(() => clipByBlockRms(null as never, 1)).toThrow(/clipByBlockRms: grads must be an object of tensors/);
    expect(() => createClipper({mode: 'blockRms'} as never)).toThrow('createClipper: threshold must be a finite number > 0, got undefined');
    tf.dispose(grads);
  });
});
