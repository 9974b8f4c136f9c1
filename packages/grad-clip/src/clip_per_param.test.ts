import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {gradListsV2, toMapV2, tolForV2} from '../test/golden_v2';
import {clipByNorm} from './clip_by_norm';
import {clipPerParam} from './clip_per_param';
import {createClipper} from './create_clipper';

describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradListsV2()) {
    for (const c of list.per_parameter_clip_grad_norm) {
      it(`${list.name}: clip_grad_norm_([p], ${c.max_norm}) per parameter matches PyTorch 1.13`, () => {
        const grads = toMapV2(list);
        const a = clipPerParam(grads, c.max_norm, {normType: c.norm_type});
        const b = createClipper({mode: 'perParam', maxNorm: c.max_norm, normType: c.norm_type})(grads);
        // the Keras/tf.clip_by_norm variant (no 1e-6) is clipByNorm
        const k = clipByNorm(grads, c.max_norm);
        list.tensors.forEach((t, i) => {
          expectClose(a[t.name], goldenData(c.clipped_grads[i]), tolForV2(list));
          expectClose(b[t.name], goldenData(c.clipped_grads[i]), tolForV2(list));
          expectClose(k[t.name], goldenData(c.clipped_grads_tf_clip_by_norm[i]), tolForV2(list));
        });
        tf.dispose([grads, a, b, k]);
      });
    }
  }

  it('p = inf and p = 1 per tensor, by hand; zero tensors stay zero; no leak', () => {
    const grads = {a: tf.tensor1d([3, -4]), z: tf.zeros([2])};
    // ‖a‖_inf = 4 → coef 2/(4 + 1e-6); ‖a‖_1 = 7 → 2/(7 + 1e-6)
    const inf = clipPerParam(grads, 2, {normType: 'inf'});
    expectClose(inf.a, [3 * 2 / (4 + 1e-6), -4 * 2 / (4 + 1e-6)]);
    expectClose(inf.z, [0, 0], {atol: 0});
    const l1 = clipPerParam(grads, 2, {normType: 1, eps: 0});
    expectClose(l1.a, [6 / 7, -8 / 7]);
    expectNoLeak(() => tf.dispose(clipPerParam(grads, 2, {normType: 3})));
    tf.dispose([grads, inf, l1]);
  });
});

describe('clipPerParam argument checks', () => {
  it('names the argument and the value', () => {
    const grads = {w: tf.ones([2])};
    expect(() => clipPerParam(grads, 0)).toThrow('clipPerParam: maxNorm must be a finite number > 0, got 0');
    expect(() => clipPerParam(grads, 1, {normType: 0.5})).toThrow("clipPerParam: normType must be a finite number >= 1 or 'inf', got 0.5");
    expect(() => clipPerParam(grads, 1, {eps: -1})).toThrow('clipPerParam: eps must be a finite number >= 0, got -1');
    expect(() => clipPerParam([] as never, 1)).toThrow(/clipPerParam: grads must be an object of tensors/);
    expect(() => createClipper({mode: 'perParam'} as never)).toThrow('createClipper: maxNorm must be a finite number > 0, got undefined');
    expect(() => createClipper({mode: 'perParam', maxNorm: 1, clipValue: 1} as never)).toThrow(/unknown option 'clipValue' for mode 'perParam'/);
    tf.dispose(grads);
  });
});
