// BatchNorm's PyTorch options momentum=None (cumulative average), affine=False and
// track_running_stats=False. The reference file has no cases for them, so the expected values
// are the golden ones where the option must not change them, else float64 references computed
// here from the float32 inputs (test/float64_reference.ts).
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor} from '@stable-train/testing';
import {BatchNorm, BatchNormOptions} from './batch_norm';
import {FWD, GRAD, GoldenCase, cases} from '../test/golden_check';
import {channelStats, normalise, normaliseGrad, seeded} from '../test/float64_reference';

/** A BatchNorm with `opts`, holding the case's values for whichever of its variables exist. */
function fromCase(c: GoldenCase, name: string, opts: Partial<BatchNormOptions> = {}): BatchNorm {
  const bn = new BatchNorm({channels: c.gamma.shape[0], eps: c.eps, name, ...opts});
  const src: Record<string, unknown> = {
    gamma: c.gamma, beta: c.beta, moving_mean: c.running_mean_before, moving_variance: c.running_var_before,
  };
  const s: tf.NamedTensorMap = {};
  for (const v of bn.variables) {
    const key = v.name.slice(name.length + 1);
    s[v.name] = key in src ? goldenTensor(src[key] as never) : tf.zeros(v.shape);
  }
  bn.setState(s);
  tf.dispose(s);
  return bn;
}

/** y and dx (tf.grad of sum(y * up)) of `bn` on the case's x. */
function yAndDx(bn: BatchNorm, c: GoldenCase, training: boolean) {
  const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
  const y = bn.apply(x, {training});
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a, {training}), up)))(x);
  tf.dispose([x, up]);
  return {y, dx};
}

describeBackends(['cpu', 'wasm'], (backend) => {
  describe('momentum: null (cumulative moving average)', () => {
    for (const c of cases('batchnorm', 'train')) {
      it(`leaves the PyTorch ${c.name} outputs and gradients unchanged; moving stats = the batch's at n = 1`, () => {
        const bn = fromCase(c, `${backend}/cma/${c.name}`, {momentum: null});
        const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
        let y: tf.Tensor | null = null;
        const {value, grads} = tf.variableGrads(() => {
          y = tf.keep(bn.apply(x, {training: true}));
          return tf.sum(tf.mul(y, up)) as tf.Scalar;
        });
        expect(Object.keys(grads).sort()).toEqual([`${bn.name}/beta`, `${bn.name}/gamma`]);
        expectClose(y!, goldenData(c.y), FWD);
        expectClose(grads[`${bn.name}/gamma`], goldenData(c.dgamma), GRAD);
        expectClose(grads[`${bn.name}/beta`], goldenData(c.dbeta), GRAD);
        // w = 1/1: the 'before' values are fully replaced by the batch statistics
        expectClose(bn.movingMean!, goldenData(c.batch_mean), FWD);
        expectClose(bn.movingVariance!, goldenData(c.batch_var_unbiased), FWD);
        expectClose(bn.numBatchesTracked!, 1, {rtol: 0, atol: 0});
        tf.dispose([x, up, value, y!, ...Object.values(grads)]);
        const {y: y2, dx} = yAndDx(bn, c, true);
        expectClose(dx, goldenData(c.dx), GRAD);
        tf.dispose([y2, dx]);
        bn.dispose();
      });
    }

    it('after k calls with different batches the moving stats are the plain averages (no host read, no leak)', async () => {
      // Expected in float64 from the (float32-exact) inputs: moving_mean = (1/k) sum_j mean_j,
      // moving_variance = (1/k) sum_j unbiased_var_j; the initial 0 / 1 vanish at n = 1 (w = 1).
      const C = 3, k = 6, shape = [4, 2, 2, C];
      const batches = Array.from({length: k}, (_, j) => seeded(17 + j, 16 * C, j - 2.5, 0.5 + j));
      const bn = new BatchNorm({channels: C, momentum: null, name: `${backend}/cma_k`});
      expect(bn.variables.map((v) => [v.name.split('/').pop(), v.shape, v.dtype, v.trainable])).toEqual([
        ['gamma', [C], 'float32', true],
        ['beta', [C], 'float32', true],
        ['moving_mean', [C], 'float32', false],
        ['moving_variance', [C], 'float32', false],
        ['num_batches_tracked', [], 'float32', false],
      ]);
      const xs = batches.map((b) => tf.tensor(b, shape));
      const be = tf.backend();
      const reads = [jest.spyOn(be, 'readSync'), jest.spyOn(be, 'read')];
      const before = tf.memory().numTensors;
      await expectNoLeak(() => {
        for (const x of xs) {
          const {value, grads} = tf.variableGrads(() => tf.mean(tf.square(bn.apply(x, {training: true}))) as tf.Scalar);
          tf.dispose([value, ...Object.values(grads)]);
        }
      });
      expect(tf.memory().numTensors).toBe(before);
      for (const r of reads) expect(r).not.toHaveBeenCalled(); // the count stays on device
      reads.forEach((r) => r.mockRestore());
      const stats = batches.map((b) => channelStats(b, C));
      const avg = (f: (s: (typeof stats)[0]) => number[]) =>
        Array.from({length: C}, (_, ch) => stats.reduce((a, s) => a + f(s)[ch], 0) / k);
      expectClose(bn.movingMean!, avg((s) => s.mean), FWD);
      expectClose(bn.movingVariance!, avg((s) => s.varUnbiased), FWD);
      expectClose(bn.numBatchesTracked!, k, {rtol: 0, atol: 0});
      // inference mode uses those averages and does not count
      const y = bn.apply(xs[0], {training: false});
      const m = avg((s) => s.mean), v = avg((s) => s.varUnbiased);
      expectClose(y, batches[0].map((a, i) => (a - m[i % C]) / Math.sqrt(v[i % C] + 1e-5)), FWD);
      expectClose(bn.numBatchesTracked!, k, {rtol: 0, atol: 0});
      tf.dispose([y, ...xs]);
      bn.dispose();
    });
  });

  describe('affine: false', () => {
    for (const c of cases('batchnorm', 'train')) {
      it(`training: y = x normalised, dx = the gamma = 1 gradient, moving stats as PyTorch (${c.name})`, () => {
        const C = c.gamma.shape[0];
        const x = goldenData(c.x), up = goldenData(c.upstream_grad);
        const bn = fromCase(c, `${backend}/noaff/${c.name}`, {affine: false});
        expect([bn.gamma, bn.beta]).toEqual([null, null]);
        expect(bn.variables.map((v) => v.name.split('/').pop())).toEqual(['moving_mean', 'moving_variance']);
        const {y, dx} = yAndDx(bn, c, true);
        expectClose(y, normalise(x, C, c.eps), FWD);
        expectClose(dx, normaliseGrad(x, up, C, c.eps), GRAD);
        // same as an affine layer at its initial gamma = 1, beta = 0
        const plain = new BatchNorm({channels: C, eps: c.eps, name: `${backend}/aff/${c.name}`});
        const ref = yAndDx(plain, c, true);
        expectClose(y, ref.y, FWD);
        expectClose(dx, ref.dx, GRAD);
        // yAndDx trained twice on the same batch: moving = batch + (before - batch) * 0.9^2
        const mb = goldenData(c.batch_mean), m0 = goldenData(c.running_mean_before);
        expectClose(bn.movingMean!, mb.map((b, i) => b + (m0[i] - b) * 0.81), FWD);
        tf.dispose([y, dx, ref.y, ref.dx]);
        plain.dispose();
        bn.dispose();
      });
    }

    for (const c of cases('batchnorm', 'eval')) {
      it(`inference: y = (x - moving_mean) / sqrt(moving_variance + eps), PyTorch ${c.name} with gamma, beta undone`, () => {
        const C = c.gamma.shape[0];
        const g = goldenData(c.gamma), b = goldenData(c.beta);
        const bn = fromCase(c, `${backend}/noaff/${c.name}`, {affine: false});
        const {y, dx} = yAndDx(bn, c, false);
        expectClose(y, goldenData(c.y).map((v, i) => (v - b[i % C]) / g[i % C]), FWD);
        expectClose(dx, goldenData(c.dx).map((v, i) => v / g[i % C]), GRAD);
        tf.dispose([y, dx]);
        bn.dispose();
      });
    }
  });

  describe('trackRunningStats: false', () => {
    for (const c of cases('batchnorm', 'train')) {
      it(`inference = training = PyTorch ${c.name} (batch statistics, on the gradient path), no moving variables`, () => {
        const bn = fromCase(c, `${backend}/nostats/${c.name}`, {trackRunningStats: false});
        expect([bn.movingMean, bn.movingVariance, bn.numBatchesTracked]).toEqual([null, null, null]);
        expect(bn.variables.map((v) => v.name.split('/').pop())).toEqual(['gamma', 'beta']);
        for (const training of [true, false]) {
          const {y, dx} = yAndDx(bn, c, training);
          expectClose(y, goldenData(c.y), FWD);
          expectClose(dx, goldenData(c.dx), GRAD);
          tf.dispose([y, dx]);
        }
        bn.dispose();
      });
    }

    it('with affine: false and momentum: null too: no variables at all, y = x normalised, no leak', async () => {
      const c = cases('batchnorm', 'train')[2];
      const bn = new BatchNorm({channels: 3, eps: c.eps, affine: false, trackRunningStats: false, momentum: null});
      expect(bn.variables).toEqual([]);
      expect(bn.getState()).toEqual({});
      const x = goldenTensor(c.x);
      for (const training of [true, false]) {
        await expectNoLeak(() => bn.apply(x, {training}));
        const y = bn.apply(x, {training});
        expectClose(y, normalise(goldenData(c.x), 3, c.eps), FWD);
        y.dispose();
      }
      x.dispose();
      bn.dispose();
    });

    it('inference also needs more than one value per channel, and says why', () => {
      const bn = new BatchNorm({channels: 3, name: 'nostats_one', trackRunningStats: false});
      const x = tf.ones([1, 3]);
      expect(() => bn.apply(x, {training: false})).toThrow(
        "BatchNorm 'nostats_one': Expected more than 1 value per channel when training, got input of shape [1,3]" +
          ' (trackRunningStats is false, so inference uses batch statistics too',
      );
      x.dispose();
      bn.dispose();
    });
  });
});

describe('BatchNorm PyTorch options: arguments and state', () => {
  it('rejects bad values with the argument named, before making tensors', () => {
    const before = tf.memory().numTensors;
    expect(() => new BatchNorm({channels: 3, convention: 'keras', momentum: null})).toThrow(
      "BatchNorm: momentum must not be null (PyTorch's cumulative moving average) with convention 'keras', got null",
    );
    expect(() => new BatchNorm({channels: 3, momentum: 'fast' as never})).toThrow('BatchNorm: momentum must be a number in [0, 1], got \"fast\"');
    expect(() => new BatchNorm({channels: 3, momentum: NaN})).toThrow('BatchNorm: momentum must be a number in [0, 1], got NaN');
    expect(() => new BatchNorm({channels: 3, affine: 'yes' as never})).toThrow('BatchNorm: affine must be true or false, got "yes"');
    expect(() => new BatchNorm({channels: 3, affine: null as never})).toThrow('BatchNorm: affine must be true or false, got null');
    expect(() => new BatchNorm({channels: 3, trackRunningStats: 0 as never})).toThrow(
      'BatchNorm: trackRunningStats must be true or false, got 0',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('exposes the options; the default variables stay the four of before', () => {
    const d = new BatchNorm({channels: 2, name: 'opt_default'});
    expect([d.affine, d.trackRunningStats, d.momentum, d.numBatchesTracked]).toEqual([true, true, 0.1, null]);
    expect(d.variables.length).toBe(4);
    const k = new BatchNorm({channels: 2, name: 'opt_keras', convention: 'keras', affine: false, trackRunningStats: false});
    expect(k.variables).toEqual([]);
    const m = new BatchNorm({channels: 2, name: 'opt_cma', momentum: null});
    expect([m.momentum, m.batchWeight]).toEqual([null, null]);
    [d, k, m].forEach((l) => l.dispose());
  });

  it('checkpoints num_batches_tracked with the other variables', () => {
    const before = tf.memory().numTensors;
    const a = new BatchNorm({channels: 2, name: 'ck_a', momentum: null});
    const x = tf.tensor2d([1, 2, 3, 5], [2, 2]);
    const x2 = tf.tensor2d([3, 0, 5, 2], [2, 2]);
    tf.dispose([a.apply(x, {training: true}), a.apply(x2, {training: true})]);
    const saved = a.getState();
    expect(Object.keys(saved)).toEqual(['ck_a/gamma', 'ck_a/beta', 'ck_a/moving_mean', 'ck_a/moving_variance', 'ck_a/num_batches_tracked']);
    const b = new BatchNorm({channels: 2, name: 'ck_b', momentum: null});
    b.setState(Object.fromEntries(Object.entries(saved).map(([key, v]) => [key.replace('ck_a/', 'ck_b/'), v])));
    tf.dispose(saved);
    tf.dispose(b.apply(x, {training: true}));
    // hand-computed: batch means [2, 3.5], [4, 1], [2, 3.5] -> their plain average
    expectClose(b.movingMean!, [8 / 3, 8 / 3]);
    expectClose(b.numBatchesTracked!, 3);
    tf.dispose([x, x2]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
