import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {trustRatio} from './trust_ratio';
import {inRange, knownOptions, nonNegative} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link lamb}; defaults are Optax's. */
export interface LambOptions {
  /** learning rate or schedule (required) */
  lr: LearningRate;
  /** first-moment decay, in [0, 1) (default 0.9) */
  beta1?: number;
  /** second-moment decay, in [0, 1) (default 0.999) */
  beta2?: number;
  /** added to √v̂ (outside the root), >= 0 (default 1e-6) */
  eps?: number;
  /** added to v̂ inside the root, >= 0 (default 0) */
  epsRoot?: number;
  /** wd·p added to the Adam direction before the trust ratio, >= 0 (default 0) */
  weightDecay?: number;
}

const KEYS = ['lr', 'beta1', 'beta2', 'eps', 'epsRoot', 'weightDecay'] as const;

/** Optax `lamb` as a `tf.Optimizer`; build it with {@link lamb}. */
export class TorchLamb extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainLamb';
  }
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly epsRoot: number;
  readonly weightDecay: number;

  constructor(opts: LambOptions) {
    const fn = 'lamb';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr);
    this.beta1 = inRange(fn, 'beta1', opts.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = inRange(fn, 'beta2', opts.beta2 ?? 0.999, 0, 1, true);
    this.eps = nonNegative(fn, 'eps', opts.eps ?? 1e-6);
    this.epsRoot = nonNegative(fn, 'epsRoot', opts.epsRoot ?? 0);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
  }

  protected slotNames(): string[] {
    return ['mu', 'nu'];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number): void {
    const {beta1: b1, beta2: b2} = this;
    s.mu.assign(tf.add(tf.mul(g, 1 - b1), tf.mul(s.mu, b1)));
    s.nu.assign(tf.add(tf.mul(tf.square(g), 1 - b2), tf.mul(s.nu, b2)));
    const mhat = tf.div(s.mu, 1 - b1 ** t);
    const vhat = tf.div(s.nu, 1 - b2 ** t);
    let u = tf.div(mhat, tf.add(tf.sqrt(tf.add(vhat, this.epsRoot)), this.eps));
    if (this.weightDecay !== 0) u = tf.add(u, tf.mul(p, this.weightDecay));
    const r = trustRatio(p, u, 1, 0);
    p.assign(tf.sub(p, tf.mul(tf.mul(u, r), lr)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {beta1, beta2, eps, epsRoot, weightDecay} = this;
    return {lr: this.configLr, beta1, beta2, eps, epsRoot, weightDecay};
  }
}

/**
 * LAMB (layer-wise adaptive moments) with Optax's exact rule (t = 1-based step):
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; a = m̂/(√(v̂ + epsRoot) + eps) with
 * m̂ = m/(1−β1^t), v̂ = v/(1−β2^t); u = a + wd·p; r = ‖p‖/‖u‖ per tensor (whole-tensor norms,
 * biases included; r = 1 if either norm is 0); p ← p − lr·r·u.
 *
 * Optax `lamb` (github google-deepmind/optax, `optax/_src/alias.py`: scale_by_adam,
 * add_decayed_weights, scale_by_trust_ratio); PyTorch: none in torch.optim.
 * Reference: You et al. 2019, "Large Batch Optimization for Deep Learning: Training BERT in 76
 * minutes", https://arxiv.org/abs/1904.00962
 *
 * ```ts
 * const opt = lamb({lr: 1e-3, weightDecay: 0.01});
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.beta1 first-moment decay (default 0.9)
 * @param opts.beta2 second-moment decay (default 0.999)
 * @param opts.eps added outside the root (default 1e-6)
 * @param opts.epsRoot added inside the root (default 0)
 * @param opts.weightDecay decay added before the trust ratio (default 0)
 */
export function lamb(opts: LambOptions): TorchLamb {
  registerOnce(TorchLamb); // so tf.loadLayersModel finds it in this process
  return new TorchLamb(opts);
}
