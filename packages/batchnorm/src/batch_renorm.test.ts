import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, goldenData, goldenTensor} from '@stable-train/testing';
import {BatchRenorm, BatchRenormOptions} from './batch_renorm';
import {FWD, GRAD, GoldenCase, cases} from '../test/golden_check';

function fromCase(c: GoldenCase, opts: Omit<BatchRenormOptions, 'channels'> & {name: string}): BatchRenorm {
  const bn = new BatchRenorm({channels: c.gamma.shape[0], eps: c.eps, ...opts});
  const n = opts.name;
  const s = {
    [`${n}/gamma`]: goldenTensor(c.gamma),
    [`${n}/beta`]: goldenTensor(c.beta),
    [`${n}/moving_mean`]: goldenTensor(c.running_mean_before),
    [`${n}/moving_variance`]: goldenTensor(c.running_var_before),
  };
  bn.setState(s);
  tf.dispose(s);
  return bn;
}

/** One training step: y, dx, and the gamma / beta gradients (loss = sum(y * upstream)), in one call. */
function step(bn: BatchRenorm, c: GoldenCase) {
  const [x0, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
  const x = tf.variable(x0, true); // a variable, so one tf.variableGrads call also gives dx
  let y: tf.Tensor | null = null;
  const {value, grads} = tf.variableGrads(() => {
    y = tf.keep(bn.apply(x, {training: true}));
    return tf.sum(tf.mul(y, up)) as tf.Scalar;
  }, [x, bn.gamma!, bn.beta!]);
  const out = {y: y!, dx: grads[x.name], dgamma: grads[`${bn.name}/gamma`], dbeta: grads[`${bn.name}/beta`]};
  tf.dispose([x0, x, up, value]);
  return out;
}

describeBackends(['cpu', 'wasm'], (backend) => {
  for (const c of cases('batchnorm', 'train')) {
    it(`with loose limits: r, d are constants for backprop (PyTorch BN golden, rescaled) ${c.name}`, () => {
      // Expected values derived in float64 from the golden: r = sigma_B / sigma, d = (mu_B - mu) / sigma;
      // y = ((y_bn - beta) / gamma * r + d) * gamma + beta; dx = r * dx_bn (per channel);
      // dgamma = r * dgamma_bn + d * dbeta_bn; dbeta = dbeta_bn.
      const C = c.gamma.shape[0];
      const vB = goldenData(c.batch_var_biased), mB = goldenData(c.batch_mean);
      const v0 = goldenData(c.running_var_before), m0 = goldenData(c.running_mean_before);
      const sig = v0.map((v) => Math.sqrt(v + c.eps));
      const r = vB.map((v, i) => Math.sqrt(v + c.eps) / sig[i]);
      const d = mB.map((m, i) => (m - m0[i]) / sig[i]);
      expect(Math.max(...r.map((v) => Math.abs(v - 1)))).toBeGreaterThan(0.05); // r matters here
      const g = goldenData(c.gamma), b = goldenData(c.beta);
      const yExp = goldenData(c.y).map((v, i) => ((v - b[i % C]) / g[i % C] * r[i % C] + d[i % C]) * g[i % C] + b[i % C]);
      const dgb = goldenData(c.dgamma), dbb = goldenData(c.dbeta);
      const bn = fromCase(c, {name: `${backend}/${c.name}`, rMax: 1e6, dMax: 1e6});
      const out = step(bn, c);
      expectClose(out.y, yExp, FWD);
      expectClose(out.dx, goldenData(c.dx).map((v, i) => v * r[i % C]), GRAD);
      expectClose(out.dgamma, dgb.map((v, i) => r[i] * v + d[i] * dbb[i]), GRAD);
      expectClose(out.dbeta, dbb, GRAD);
      expect(bn.step).toBe(1);
      tf.dispose(Object.values(out));
      bn.dispose();
    });

    it(`rMax 1, dMax 0 is plain batch norm: PyTorch ${c.name} incl. moving stats`, () => {
      const bn = fromCase(c, {name: `${backend}/${c.name}/bn`, rMax: 1, dMax: 0});
      const x = goldenTensor(c.x);
      const y = bn.apply(x, {training: true});
      expectClose(y, goldenData(c.y), FWD);
      expectClose(bn.movingMean!, goldenData(c.running_mean_after), FWD);
      expectClose(bn.movingVariance!, goldenData(c.running_var_after), FWD);
      tf.dispose([x, y]);
      const out = step(bn, c);
      expectClose(out.dx, goldenData(c.dx), GRAD);
      expectClose(out.dgamma, goldenData(c.dgamma), GRAD);
      tf.dispose(Object.values(out));
      bn.dispose();
    });
  }

  it('momentum: null and affine: false: rMax 1, dMax 0 is plain BN with x normalised, moving stats = batch stats', () => {
    // expected: golden y with gamma, beta undone; cumulative average at n = 1 (w = 1) = the batch's
    const c = cases('batchnorm', 'train')[2];
    const C = c.gamma.shape[0];
    const bn = new BatchRenorm({channels: C, eps: c.eps, name: `${backend}/cma`, momentum: null, affine: false, rMax: 1, dMax: 0});
    expect(bn.variables.map((v) => v.name.split('/').pop())).toEqual(['moving_mean', 'moving_variance', 'num_batches_tracked']);
    const x = goldenTensor(c.x);
    const y = bn.apply(x, {training: true});
    const gd = goldenData(c.gamma), bd = goldenData(c.beta);
    expectClose(y, goldenData(c.y).map((v, i) => (v - bd[i % C]) / gd[i % C]), FWD);
    expectClose(bn.movingMean!, goldenData(c.batch_mean), FWD);
    expectClose(bn.movingVariance!, goldenData(c.batch_var_unbiased), FWD);
    expectClose(bn.numBatchesTracked!, 1);
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('affine: false with loose limits: y = xhat * r + d = (x - mean) / sigma (moving statistics)', () => {
    // float64: r * (x - mu_B) / sigma_B + (mu_B - mu) / sigma = (x - mu) / sigma when nothing clips
    const c = cases('batchnorm', 'train')[0];
    const C = c.gamma.shape[0];
    const bn = fromCase(c, {name: `${backend}/noaff`, rMax: 1e6, dMax: 1e6});
    const plain = new BatchRenorm({channels: C, eps: c.eps, name: `${backend}/noaff2`, affine: false, rMax: 1e6, dMax: 1e6});
    plain.setState({[`${plain.name}/moving_mean`]: bn.movingMean!, [`${plain.name}/moving_variance`]: bn.movingVariance!});
    const m0 = goldenData(c.running_mean_before), v0 = goldenData(c.running_var_before);
    const x = goldenTensor(c.x);
    const y = plain.apply(x, {training: true});
    expectClose(y, goldenData(c.x).map((v, i) => (v - m0[i % C]) / Math.sqrt(v0[i % C] + c.eps)), FWD);
    tf.dispose([x, y]);
    bn.dispose();
    plain.dispose();
  });

  it('inference mode is batch norm with the moving statistics (PyTorch eval golden)', () => {
    const c = cases('batchnorm', 'eval')[2];
    const bn = fromCase(c, {name: `${backend}/eval`});
    const x = goldenTensor(c.x);
    const y = bn.apply(x, {training: false});
    expectClose(y, goldenData(c.y), FWD);
    expect(bn.step).toBe(0);
    tf.dispose([x, y]);
    bn.dispose();
  });

  it('evaluates the schedules at the step count and leaks nothing over 100 steps', () => {
    const c = cases('batchnorm', 'train')[2];
    const seen: number[] = [];
    const bn = fromCase(c, {name: `${backend}/sched`, rMax: (s) => (seen.push(s), 1 + s), dMax: () => 0});
    const [x, up] = [goldenTensor(c.x), goldenTensor(c.upstream_grad)];
    const run = () => {
      const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, {training: true}), up)) as tf.Scalar);
      tf.dispose([value, ...Object.values(grads)]);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.slice(0, 4)).toEqual([0, 0, 1, 2]); // constructor check, then steps 0, 1, 2
    expect(bn.step).toBe(101);
    const st = bn.getState();
    expect(st[`${bn.name}/step`].dataSync()[0]).toBe(101);
    tf.dispose([x, up, ...Object.values(st)]);
    bn.dispose();
  });
});

describe('BatchRenorm arguments', () => {
  it('rejects bad limits, batch size 1 and wrong channels', () => {
    expect(() => new BatchRenorm({channels: 3, rMax: 0.5})).toThrow('BatchRenorm: rMax must be a number >= 1, got 0.5');
    expect(() => new BatchRenorm({channels: 3, dMax: -1})).toThrow('BatchRenorm: dMax must be a number >= 0, got -1');
    const bn = new BatchRenorm({channels: 3, name: 'rn', dMax: (s) => (s > 0 ? NaN : 0)});
    const x = tf.ones([4, 3]);
    tf.dispose(bn.apply(x, {training: true}));
    expect(() => bn.apply(x, {training: true})).toThrow('BatchRenorm: dMax(1) must be a number >= 0, got NaN');
    const one = tf.ones([1, 3]);
    expect(() => bn.apply(one, {training: true})).toThrow("BatchRenorm 'rn': Expected more than 1 value per channel when training");
    const x5 = tf.ones([4, 5]);
    expect(() => bn.apply(x5, {training: true})).toThrow("BatchRenorm 'rn'.apply: x must have 3 channels in the last axis, got shape [4,5]");
    tf.dispose([x, one, x5]);
    bn.dispose();
    expect(() => new BatchRenorm({channels: 3, trackRunningStats: false})).toThrow(
      'BatchRenorm: trackRunningStats must be true (r and d correct toward the moving statistics), got false',
    );
  });
});
