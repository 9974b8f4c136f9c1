import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, knownOptions, nonNegative, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link adamax}; defaults are PyTorch's. */
export interface AdamaxOptions {
  /** learning rate or schedule (default 2e-3) */
  lr?: LearningRate;
  /** first-moment decay, in [0, 1) (default 0.9) */
  beta1?: number;
  /** decay of the infinity norm, in [0, 1) (default 0.999) */
  beta2?: number;
  /** added to |g| inside the max, > 0 (default 1e-8) */
  eps?: number;
  /** coupled L2: g ← g + wd·p, >= 0 (default 0) */
  weightDecay?: number;
}

const KEYS = ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'] as const;

/** PyTorch `torch.optim.Adamax` as a `tf.Optimizer`; build it with {@link adamax}. */
export class TorchAdamax extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainAdamax';
  }
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(opts: AdamaxOptions = {}) {
    const fn = 'adamax';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr ?? 2e-3);
    this.beta1 = inRange(fn, 'beta1', opts.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = inRange(fn, 'beta2', opts.beta2 ?? 0.999, 0, 1, true);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-8);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
  }

  protected slotNames(): string[] {
    return ['exp_avg', 'exp_inf'];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number): void {
    const {beta1: b1, beta2: b2} = this;
    if (this.weightDecay !== 0) g = tf.add(g, tf.mul(p, this.weightDecay));
    s.exp_avg.assign(tf.add(tf.mul(s.exp_avg, b1), tf.mul(g, 1 - b1)));
    s.exp_inf.assign(tf.maximum(tf.mul(s.exp_inf, b2), tf.add(tf.abs(g), this.eps)));
    const clr = lr / (1 - b1 ** t);
    p.assign(tf.sub(p, tf.mul(tf.div(s.exp_avg, s.exp_inf), clr)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {beta1, beta2, eps, weightDecay} = this;
    return {lr: this.configLr, beta1, beta2, eps, weightDecay};
  }
}

/**
 * Adamax (Adam with the infinity norm) with PyTorch's exact rule (t = 1-based step):
 * g ← g + wd·p; m ← β1·m + (1−β1)·g; u ← max(β2·u, |g| + eps) (u starts at 0, eps **inside**
 * the max); p ← p − lr/(1−β1^t) · m/u. (tfjs-core's `tf.train.adamax` differs: it decays the lr
 * and puts eps outside.)
 *
 * PyTorch `torch.optim.Adamax`; Keras `Adamax`; Optax `adamax`. Reference: Kingma & Ba 2015,
 * §7.1, https://arxiv.org/abs/1412.6980 ; https://pytorch.org/docs/stable/generated/torch.optim.Adamax.html
 *
 * ```ts
 * const opt = adamax({lr: 2e-3});
 * ```
 * @param opts.lr learning rate or schedule (default 2e-3)
 * @param opts.beta1 first-moment decay (default 0.9)
 * @param opts.beta2 infinity-norm decay (default 0.999)
 * @param opts.eps added to |g| (default 1e-8)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function adamax(opts: AdamaxOptions = {}): TorchAdamax {
  registerOnce(TorchAdamax); // so tf.loadLayersModel finds it in this process
  return new TorchAdamax(opts);
}
