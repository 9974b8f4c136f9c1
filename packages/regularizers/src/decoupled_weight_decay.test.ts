import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData, goldenTensor, loadGolden} from '@stable-train/testing';
import type {GoldenTensor} from '@stable-train/testing';
import {decoupledWeightDecay} from './decoupled_weight_decay';

describeBackends(['cpu', 'wasm'], (backend) => {
  // PyTorch AdamW (optimizers.json, case `adamw`): p ← p·(1 − lr·wd), then the Adam update with
  // the raw gradient. Plain Adam, written out on device (bias corrections in float64 on host):
  // m ← b1·m + (1−b1)·g; v ← b2·v + (1−b2)·g²; p ← p − lr/(1−b1^t) · m / (sqrt(v)/sqrt(1−b2^t) + eps)
  function runAdamW(order: 'before' | 'after', tfjsAdam: boolean): {W: number[][]; b: number[][]} {
    const g = loadGolden('optimizers');
    const c = g.optimizers.find((o: {name: string}) => o.name === 'adamw');
    const {lr, betas, eps, weight_decay: wd} = c.constructor_args;
    const [b1, b2] = betas;
    // variable names are global in tfjs: make them unique per backend and run
    const tag = `adamw_${backend}_${order}_${tfjsAdam}`;
    const names: {[k: string]: string} = {W: `${tag}/W`, b: `${tag}/b`};
    const vars: {[name: string]: tf.Variable} = {};
    const moments: {[name: string]: [tf.Variable, tf.Variable]} = {};
    for (const k of ['W', 'b']) {
      vars[names[k]] = tf.variable(goldenTensor(g.initial_params[k]), true, names[k]);
      moments[names[k]] = [tf.variable(tf.zerosLike(vars[names[k]])), tf.variable(tf.zerosLike(vars[names[k]]))];
    }
    const opt = tf.train.adam(lr, b1, b2, eps); // epsilon passed explicitly (tfjs defaults it per backend)
    const decay = decoupledWeightDecay({rate: wd, mask: {}}); // PyTorch decays every param
    const out: {W: number[][]; b: number[][]} = {W: [], b: []};
    c.steps.forEach((step: {grads: {[k: string]: GoldenTensor}}, i: number) => {
      const t = i + 1;
      if (order === 'before') expect(decay.apply(vars, lr)).toEqual([names.W, names.b]);
      tf.tidy(() => {
        const grads = {[names.W]: goldenTensor(step.grads.W), [names.b]: goldenTensor(step.grads.b)};
        // tfjs types applyGradients as taking variables, but it takes gradients by variable name
        if (tfjsAdam) opt.applyGradients(grads as unknown as Parameters<typeof opt.applyGradients>[0]);
        else {
          for (const n of Object.values(names)) {
            const [m, v] = moments[n];
            m.assign(tf.add(tf.mul(b1, m), tf.mul(1 - b1, grads[n])));
            v.assign(tf.add(tf.mul(b2, v), tf.mul(1 - b2, tf.square(grads[n]))));
            const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - b2 ** t)), eps);
            vars[n].assign(tf.sub(vars[n], tf.div(tf.mul(lr / (1 - b1 ** t), m), denom)));
          }
        }
      });
      if (order === 'after') decay.apply(vars, lr);
      out.W.push(Array.from(vars[names.W].dataSync()));
      out.b.push(Array.from(vars[names.b].dataSync()));
    });
    opt.dispose();
    tf.dispose([Object.values(vars), Object.values(moments).flat()]);
    return out;
  }
  const golden = (k: 'W' | 'b', i: number): number[] =>
    goldenData(loadGolden('optimizers').optimizers.find((o: {name: string}) => o.name === 'adamw').steps[i].params_after[k]);

  it('decay BEFORE a plain Adam step reproduces PyTorch AdamW exactly (5 steps, golden tolerance)', () => {
    const run = runAdamW('before', false);
    for (let i = 0; i < 5; i++) {
      expectClose(run.W[i], golden('W', i), {rtol: 1e-5, atol: 1e-6});
      expectClose(run.b[i], golden('b', i), {rtol: 1e-5, atol: 1e-6});
    }
  });

  it('decay AFTER the step does not (it also shrinks the update: lr·wd·lr ≈ 2.5e-5 per step here)', () => {
    const run = runAdamW('after', false);
    expect(() => expectClose(run.W[4], golden('W', 4), {rtol: 1e-5, atol: 1e-6})).toThrow(/differ/);
  });

  it('decay before tf.train.adam matches AdamW within tfjs Adam\'s own float32 error', () => {
    // measured: tf.train.adam alone drifts up to 2.5e-6 from PyTorch's `adam` golden after 5
    // steps; the wrong order drifts 2.5e-5 per step and no decay 4e-4, so 6e-6 still tells them apart
    const run = runAdamW('before', true);
    for (let i = 0; i < 5; i++) {
      expectClose(run.W[i], golden('W', i), {rtol: 1e-5, atol: 6e-6});
      expectClose(run.b[i], golden('b', i), {rtol: 1e-5, atol: 6e-6});
    }
  });

  it('the decay term alone is p·(1 − lr·rate), in place', () => {
    const v = tf.variable(tf.tensor2d([[1, -2], [4, 0.5]]), true, `decay_alone_${backend}/kernel`);
    const names = decoupledWeightDecay({rate: 0.1}).apply([v], 0.5); // factor 1 − 0.05 = 0.95
    expect(names).toEqual([v.name]);
    expectClose(v, [0.95, -1.9, 3.8, 0.475]);
    v.dispose();
  });

  it('default mask skips biases, norm params and non-trainable variables', () => {
    const mk = (n: string, shape: number[], trainable = true): tf.Variable =>
      tf.variable(tf.ones(shape), trainable, `${backend}_mask/${n}`);
    const vars = [mk('dense/kernel', [2, 2]), mk('dense/bias', [2]), mk('bn/gamma', [2]), mk('frozen/kernel', [2, 2], false)];
    expect(decoupledWeightDecay({rate: 0.5}).apply(vars, 1)).toEqual([`${backend}_mask/dense/kernel`]);
    expectClose(vars[0], [0.5, 0.5, 0.5, 0.5]);
    expectClose(vars[1], [1, 1]);
    expectClose(vars[3], [1, 1, 1, 1]);
    tf.dispose(vars);
  });

  it('leaks nothing over many steps', async () => {
    const v = tf.variable(tf.ones([3, 3]), true, `leak_${backend}/kernel`);
    const decay = decoupledWeightDecay({rate: 0.01});
    await expectNoLeak(() => {
      for (let i = 0; i < 10; i++) decay.apply({k: v}, 0.1);
    });
    expectClose(v, new Array(9).fill(0.999 ** 10));
    v.dispose();
  });
});

describe('decoupledWeightDecay arguments', () => {
  it('rejects bad rates, lrs, masks and variables naming them', () => {
    expect(() => decoupledWeightDecay({rate: -0.1})).toThrow('decoupledWeightDecay: rate must be a finite number >= 0, got -0.1');
    expect(() => decoupledWeightDecay(undefined as never)).toThrow('decoupledWeightDecay: opts must be an object');
    expect(() => decoupledWeightDecay({rate: 0.1, mask: {include: 7}} as never)).toThrow('decoupledWeightDecay: mask.include must be');
    const v = tf.variable(tf.ones([2, 2]), true, 'args/kernel');
    const decay = decoupledWeightDecay({rate: 0.1, mask: {include: 'args/kernal'}});
    expect(() => decay.apply([v], 0.1)).toThrow("decoupledWeightDecay.apply: mask.include glob must match at least one parameter name (args/kernel), got \"args/kernal\"");
    expect(() => decoupledWeightDecay({rate: 0.1}).apply([v], -1)).toThrow('decoupledWeightDecay.apply: lr must be a finite number >= 0, got -1');
    const t = tf.ones([2]);
    expect(() => decoupledWeightDecay({rate: 0.1}).apply([t] as never, 0.1)).toThrow("decoupledWeightDecay.apply: variables[0] must be a tf.Variable, got a tensor of dtype float32, shape [2]");
    tf.dispose([v, t]);
  });
});
