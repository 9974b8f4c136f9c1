import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, knownOptions, nonNegative, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link radam}; defaults are PyTorch's. */
export interface RadamOptions {
  /** learning rate or schedule (default 1e-3) */
  lr?: LearningRate;
  /** first-moment decay, in [0, 1) (default 0.9) */
  beta1?: number;
  /** second-moment decay, in [0, 1) (default 0.999) */
  beta2?: number;
  /** added to √v (the uncorrected v), > 0 (default 1e-8) */
  eps?: number;
  /** coupled L2: g ← g + wd·p, >= 0 (default 0) */
  weightDecay?: number;
}

const KEYS = ['lr', 'beta1', 'beta2', 'eps', 'weightDecay'] as const;

/** PyTorch `torch.optim.RAdam` as a `tf.Optimizer`; build it with {@link radam}. */
export class TorchRAdam extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainRAdam';
  }
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(opts: RadamOptions = {}) {
    const fn = 'radam';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr ?? 1e-3);
    this.beta1 = inRange(fn, 'beta1', opts.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = inRange(fn, 'beta2', opts.beta2 ?? 0.999, 0, 1, true);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-8);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
  }

  protected slotNames(): string[] {
    return ['exp_avg', 'exp_avg_sq'];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number): void {
    const {beta1: b1, beta2: b2} = this;
    if (this.weightDecay !== 0) g = tf.add(g, tf.mul(p, this.weightDecay));
    s.exp_avg.assign(tf.add(tf.mul(s.exp_avg, b1), tf.mul(g, 1 - b1)));
    s.exp_avg_sq.assign(tf.add(tf.mul(s.exp_avg_sq, b2), tf.mul(tf.square(g), 1 - b2)));
    const bc2 = 1 - b2 ** t;
    const rhoInf = 2 / (1 - b2) - 1;
    const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
    const mhat = tf.div(s.exp_avg, 1 - b1 ** t);
    if (rhoT > 5) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      const adaptive = tf.div(Math.sqrt(bc2), tf.add(tf.sqrt(s.exp_avg_sq), this.eps));
      p.assign(tf.sub(p, tf.mul(tf.mul(mhat, adaptive), lr * rect)));
    } else {
      p.assign(tf.sub(p, tf.mul(mhat, lr)));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {beta1, beta2, eps, weightDecay} = this;
    return {lr: this.configLr, beta1, beta2, eps, weightDecay};
  }
}

/**
 * RAdam (rectified Adam) with PyTorch's exact rule (t = 1-based step): g ← g + wd·p;
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; m̂ = m/(1−β1^t); ρ∞ = 2/(1−β2) − 1;
 * ρ_t = ρ∞ − 2t·β2^t/(1−β2^t). If ρ_t > 5:
 * r = √((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t)), p ← p − lr·m̂·r·√(1−β2^t)/(√v + eps)
 * (eps on the **uncorrected** √v); else p ← p − lr·m̂ (SGD with momentum, no adaptive term).
 *
 * PyTorch `torch.optim.RAdam`; Optax `radam`. Reference: Liu et al. 2020, "On the Variance of
 * the Adaptive Learning Rate and Beyond", https://arxiv.org/abs/1908.03265 ;
 * https://pytorch.org/docs/stable/generated/torch.optim.RAdam.html
 *
 * ```ts
 * const opt = radam({lr: 1e-3});
 * ```
 * @param opts.lr learning rate or schedule (default 1e-3)
 * @param opts.beta1 first-moment decay (default 0.9)
 * @param opts.beta2 second-moment decay (default 0.999)
 * @param opts.eps denominator epsilon (default 1e-8)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function radam(opts: RadamOptions = {}): TorchRAdam {
  registerOnce(TorchRAdam); // so tf.loadLayersModel finds it in this process
  return new TorchRAdam(opts);
}
