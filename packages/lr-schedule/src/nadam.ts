import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, knownOptions, nonNegative, oneOf, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link nadam}; defaults are PyTorch's. */
export interface NadamOptions {
  /** learning rate or schedule (default 2e-3) */
  lr?: LearningRate;
  /** first-moment decay, in [0, 1) (default 0.9) */
  beta1?: number;
  /** second-moment decay, in [0, 1) (default 0.999) */
  beta2?: number;
  /** added to the bias-corrected √v, > 0 (default 1e-8) */
  eps?: number;
  /** coupled L2: g ← g + wd·p, >= 0 (default 0) */
  weightDecay?: number;
  /** ψ of the momentum schedule μ_t = β1·(1 − 0.5·0.96^(t·ψ)), >= 0 (default 4e-3) */
  momentumDecay?: number;
  /** 'torch2' (PyTorch >= 2.0, default) or 'torch1.13' (μ_t counted twice in the second denominator) */
  formula?: 'torch2' | 'torch1.13';
}

const KEYS = ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'momentumDecay', 'formula'] as const;

/** μ_t = β1·(1 − 0.5·0.96^(t·ψ)) (PyTorch NAdam's momentum schedule). */
function mu(beta1: number, psi: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (t * psi));
}

/** PyTorch `torch.optim.NAdam` as a `tf.Optimizer`; build it with {@link nadam}. */
export class TorchNAdam extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainNAdam';
  }
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentumDecay: number;
  readonly formula: 'torch2' | 'torch1.13';

  constructor(opts: NadamOptions = {}) {
    const fn = 'nadam';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr ?? 2e-3);
    this.beta1 = inRange(fn, 'beta1', opts.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = inRange(fn, 'beta2', opts.beta2 ?? 0.999, 0, 1, true);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-8);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
    this.momentumDecay = nonNegative(fn, 'momentumDecay', opts.momentumDecay ?? 4e-3);
    this.formula = oneOf(fn, 'formula', opts.formula ?? 'torch2', ['torch2', 'torch1.13'] as const);
  }

  /** P_t = Π_{k<=t} μ_k, multiplied in PyTorch's order and cached (products[t] = P_t). */
  private muProduct(t: number): number {
    const p = this.products;
    while (p.length <= t) p.push(p[p.length - 1] * mu(this.beta1, this.momentumDecay, p.length));
    return p[t];
  }
  private readonly products = [1];

  protected slotNames(): string[] {
    return ['exp_avg', 'exp_avg_sq', 'mu_product'];
  }

  protected override initSlot(slot: string, p: tf.Variable): tf.Tensor | null {
    return slot === 'mu_product' ? tf.scalar(1) : tf.zerosLike(p);
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number): void {
    const {beta1: b1, beta2: b2, momentumDecay: psi} = this;
    if (this.weightDecay !== 0) g = tf.add(g, tf.mul(p, this.weightDecay));
    // μ_product = Π_{k<=t} μ_k, in float64 on the host (it depends only on t); stored as PyTorch does
    const muProduct = this.muProduct(t);
    const muT = mu(b1, psi, t);
    const muNext = mu(b1, psi, t + 1);
    const nextProduct = this.formula === 'torch1.13' ? muProduct * muT * muNext : muProduct * muNext;
    s.exp_avg.assign(tf.add(tf.mul(s.exp_avg, b1), tf.mul(g, 1 - b1)));
    s.exp_avg_sq.assign(tf.add(tf.mul(s.exp_avg_sq, b2), tf.mul(tf.square(g), 1 - b2)));
    s.mu_product.assign(tf.scalar(muProduct));
    const denom = tf.add(tf.sqrt(tf.div(s.exp_avg_sq, 1 - b2 ** t)), this.eps);
    const c1 = (lr * (1 - muT)) / (1 - muProduct);
    const c2 = (lr * muNext) / (1 - nextProduct);
    p.assign(tf.sub(tf.sub(p, tf.mul(tf.div(g, denom), c1)), tf.mul(tf.div(s.exp_avg, denom), c2)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {beta1, beta2, eps, weightDecay, momentumDecay, formula} = this;
    return {lr: this.configLr, beta1, beta2, eps, weightDecay, momentumDecay, formula};
  }
}

/**
 * NAdam (Adam with Nesterov momentum) with PyTorch's exact rule (t = 1-based step):
 * g ← g + wd·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * μ_t = β1·(1 − ½·0.96^(t·ψ)); P_t = Π_{k≤t} μ_k; d = √(v/(1−β2^t)) + eps;
 * p ← p − lr·(1−μ_t)/(1−P_t) · g/d − lr·μ_{t+1}/(1−P_t·μ_{t+1}) · m/d.
 *
 * `formula: 'torch2'` (default) is the rule above, as PyTorch >= 2.0 computes it.
 * `formula: 'torch1.13'` reproduces PyTorch 1.13, whose second denominator is
 * 1 − P_t·μ_t·μ_{t+1} (μ_t counted twice). Only coupled L2 decay (PyTorch 1.13 has no
 * `decoupled_weight_decay`).
 *
 * PyTorch `torch.optim.NAdam`; Keras `Nadam`; Optax `nadam` (a different μ schedule).
 * Reference: Dozat 2016, "Incorporating Nesterov Momentum into Adam",
 * https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ ;
 * https://pytorch.org/docs/stable/generated/torch.optim.NAdam.html
 *
 * ```ts
 * const opt = nadam({lr: 2e-3});
 * ```
 * @param opts.lr learning rate or schedule (default 2e-3)
 * @param opts.beta1 first-moment decay (default 0.9)
 * @param opts.beta2 second-moment decay (default 0.999)
 * @param opts.eps denominator epsilon (default 1e-8)
 * @param opts.weightDecay coupled L2 factor (default 0)
 * @param opts.momentumDecay ψ (default 4e-3)
 * @param opts.formula 'torch2' (default) or 'torch1.13'
 */
export function nadam(opts: NadamOptions = {}): TorchNAdam {
  registerOnce(TorchNAdam); // so tf.loadLayersModel finds it in this process
  return new TorchNAdam(opts);
}
