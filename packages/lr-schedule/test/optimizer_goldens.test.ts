// Every optimizer trajectory of optimizers.json (PyTorch 1.13, 5 steps, incl. the large-eps
// variants) on cpu and wasm: feed steps[t].grads, compare params_after and the optimizer state.
import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, goldenData, goldenTensor, loadGolden, type GoldenTensor} from '@stable-train/testing';
import {adagrad, adam, adamw, rmsprop, sgd, type TorchOptimizer} from '../src';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>;
const TOL = {rtol: 1e-5, atol: 1e-6}; // goldens README: optimizer params after 5 steps

/** Our optimizer for `torch.optim.<cls>(**args)`. */
function fromTorch(cls: string, a: Args): TorchOptimizer {
  switch (cls) {
    case 'torch.optim.SGD':
      return sgd({lr: a.lr, momentum: a.momentum, dampening: a.dampening, nesterov: a.nesterov, weightDecay: a.weight_decay});
    case 'torch.optim.Adam':
    case 'torch.optim.AdamW': {
      const o = {lr: a.lr, beta1: a.betas[0], beta2: a.betas[1], eps: a.eps, weightDecay: a.weight_decay, amsgrad: a.amsgrad};
      return cls.endsWith('AdamW') ? adamw(o) : adam(o);
    }
    case 'torch.optim.Adagrad':
      return adagrad({lr: a.lr, lrDecay: a.lr_decay, eps: a.eps, initialAccumulatorValue: a.initial_accumulator_value, weightDecay: a.weight_decay});
    case 'torch.optim.RMSprop':
      return rmsprop({lr: a.lr, alpha: a.alpha, eps: a.eps, momentum: a.momentum, centered: a.centered, weightDecay: a.weight_decay});
    default:
      throw new Error(`no mapping for ${cls}`);
  }
}

const golden = loadGolden('optimizers');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const configs: any[] = golden.optimizers;

describeBackends(['cpu', 'wasm'], (backend) => {
  it('covers the 12 PyTorch configurations', () => expect(configs.length).toBe(12));

  it.each(configs.map((c) => [c.name, c] as const))('%s: params and state after each of 5 steps', async (name, c) => {
    const before = tf.memory().numTensors;
    const key = (k: string) => `opt_golden_${backend}_${name}/${k}`;
    const W = tf.tidy(() => tf.variable(goldenTensor(golden.initial_params.W), true, key('W')));
    const b = tf.tidy(() => tf.variable(goldenTensor(golden.initial_params.b), true, key('b')));
    const opt = fromTorch(c.class, c.constructor_args);
    expect(c.steps.length).toBe(5);
    for (const st of c.steps) {
      const grads = {[key('W')]: goldenTensor(st.grads.W), [key('b')]: goldenTensor(st.grads.b)};
      opt.applyGradients(grads);
      tf.dispose(grads);
      expectClose(W, goldenData(st.params_after.W), TOL);
      expectClose(b, goldenData(st.params_after.b), TOL);
      const weights = await opt.getWeights();
      const byName = new Map(weights.map((w) => [w.name, w.tensor]));
      expect(byName.get('iter')!.dataSync()[0]).toBe(st.step);
      for (const p of ['W', 'b']) {
        for (const [slot, want] of Object.entries(st.state_after[p] as Record<string, GoldenTensor | number | null>)) {
          const got = byName.get(`${key(p)}/${slot}`);
          if (want === null) expect(got).toBeUndefined(); // sgd without momentum keeps no buffer
          else if (typeof want === 'number') expect(got!.dataSync()[0]).toBe(want);
          else expectClose(got!, goldenData(want), TOL);
        }
      }
      tf.dispose(weights.map((w) => w.tensor));
    }
    expect(opt.step).toBe(5);
    opt.dispose();
    tf.dispose([W, b]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
