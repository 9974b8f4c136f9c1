// lr-schedule's updateBatchNormStats (PyTorch swa_utils.update_bn) on the BatchNorm modules of
// @stable-train/batchnorm, as the stable-train models list them in `norms`: after one pass, the
// moving statistics are the plain means over the batches of each batch's statistics (PyTorch:
// the unbiased variance; Keras convention: the biased one), the layer's momentum is back and
// the other weights are untouched.
import * as tf from '@tensorflow/tfjs-core';
import {BatchNorm} from '@stable-train/batchnorm';
import {updateBatchNormStats} from '@stable-train/lr-schedule';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {mlp} from './models';

let uid = 0;
const batches = (): tf.Tensor2D[] => [
  tf.tensor2d([[1, 0], [0, 2], [3, 1]]),
  tf.tensor2d([[2, 2], [4, -1]]),
  tf.tensor2d([[0, 5], [1, 1], [-1, 0], [2, 2]]),
];

/** Per-column mean and variance (biased or n/(n-1)) of each batch, then averaged over the batches: update_bn's result. */
function expected(xs: tf.Tensor2D[], unbiased: boolean): {mean: number[]; variance: number[]} {
  const per = xs.map((x) => {
    const rows = x.arraySync();
    const n = rows.length;
    const mean = [0, 1].map((c) => rows.reduce((a, r) => a + r[c], 0) / n);
    const variance = [0, 1].map((c) => rows.reduce((a, r) => a + (r[c] - mean[c]) ** 2, 0) / (unbiased ? n - 1 : n));
    return {mean, variance};
  });
  const avg = (k: 'mean' | 'variance'): number[] => [0, 1].map((c) => per.reduce((a, p) => a + p[k][c], 0) / per.length);
  return {mean: avg('mean'), variance: avg('variance')};
}

describeBackends(['cpu', 'wasm'], (backend) => {
  it.each([
    ['pytorch, momentum 0.1', {convention: 'pytorch' as const}, true],
    ['keras, momentum 0.99', {convention: 'keras' as const}, false],
    ['pytorch, momentum null (cumulative average)', {convention: 'pytorch' as const, momentum: null}, true],
  ])('BatchNorm %s: moving stats = mean of the batch stats; momentum and count restored', async (_n, o, unbiased) => {
    const bn = new BatchNorm({channels: 2, name: `bnstats_${backend}_${uid++}`, ...o});
    const xs = batches();
    // move the statistics away from their initial values first: update_bn must reset them
    tf.dispose(bn.apply(tf.tensor2d([[9, 9], [7, -3]]), {training: true}));
    const model = {layers: [bn], apply: (x: tf.Tensor | tf.Tensor[]) => bn.apply(x as tf.Tensor, {training: true})};
    await expectNoLeak(async () => {
      expect(await updateBatchNormStats(model, xs)).toBe(1);
    });
    const want = expected(xs, unbiased);
    expectClose(bn.movingMean!, want.mean, {rtol: 1e-6, atol: 1e-6});
    expectClose(bn.movingVariance!, want.variance, {rtol: 1e-5, atol: 1e-6});
    expect(bn.momentum).toBe((o as {momentum?: null}).momentum === null ? null : o.convention === 'keras' ? 0.99 : 0.1);
    if (bn.numBatchesTracked) expectClose(bn.numBatchesTracked, [3]); // PyTorch: reset to 0, counted again
    expectClose(bn.gamma!, [1, 1]);
    tf.dispose(xs);
    bn.dispose();
  });

  it("an mlp with norm 'batch' lists its BatchNorms in `norms`; one with 'layer' has no batch norm to update", async () => {
    const m = mlp({inputs: 2, hidden: [3, 3], outputs: 2, norm: 'batch', name: `bnmlp_${backend}_${uid++}`});
    expect(m.norms!.map((n) => n instanceof BatchNorm)).toEqual([true, true]);
    const xs = batches();
    expect(await updateBatchNormStats({layers: m.norms!, apply: (x, k) => m.apply(x as tf.Tensor, k)}, xs)).toBe(2);
    const l = mlp({inputs: 2, hidden: [3], outputs: 2, norm: 'layer', name: `lnmlp_${backend}_${uid++}`});
    expect(await updateBatchNormStats({layers: l.norms!, apply: (x, k) => l.apply(x as tf.Tensor, k)}, xs)).toBe(0);
    tf.dispose(xs);
    m.dispose();
    l.dispose();
  });
});
