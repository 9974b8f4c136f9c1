import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, knownOptions, nonNegative, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link adadelta}; defaults are PyTorch's. */
export interface AdadeltaOptions {
  /** learning rate (scale of the delta) or schedule (default 1.0) */
  lr?: LearningRate;
  /** decay of both running averages, in [0, 1] (default 0.9) */
  rho?: number;
  /** added inside both square roots, > 0 (default 1e-6) */
  eps?: number;
  /** coupled L2: g ← g + wd·p, >= 0 (default 0) */
  weightDecay?: number;
}

const KEYS = ['lr', 'rho', 'eps', 'weightDecay'] as const;

/** PyTorch `torch.optim.Adadelta` as a `tf.Optimizer`; build it with {@link adadelta}. */
export class TorchAdadelta extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainAdadelta';
  }
  readonly rho: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(opts: AdadeltaOptions = {}) {
    const fn = 'adadelta';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr ?? 1.0);
    this.rho = inRange(fn, 'rho', opts.rho ?? 0.9, 0, 1);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-6);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
  }

  protected slotNames(): string[] {
    return ['square_avg', 'acc_delta'];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number): void {
    const {rho, eps} = this;
    if (this.weightDecay !== 0) g = tf.add(g, tf.mul(p, this.weightDecay));
    s.square_avg.assign(tf.add(tf.mul(s.square_avg, rho), tf.mul(tf.square(g), 1 - rho)));
    const delta = tf.mul(tf.div(tf.sqrt(tf.add(s.acc_delta, eps)), tf.sqrt(tf.add(s.square_avg, eps))), g);
    s.acc_delta.assign(tf.add(tf.mul(s.acc_delta, rho), tf.mul(tf.square(delta), 1 - rho)));
    p.assign(tf.sub(p, tf.mul(delta, lr)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {rho, eps, weightDecay} = this;
    return {lr: this.configLr, rho, eps, weightDecay};
  }
}

/**
 * Adadelta with PyTorch's exact rule: g ← g + wd·p; s ← ρ·s + (1−ρ)·g²;
 * Δ = √(a + eps)/√(s + eps) · g (a = the old accumulated delta); a ← ρ·a + (1−ρ)·Δ²;
 * p ← p − lr·Δ. (tfjs-core's `tf.train.adadelta` has a different default lr and eps handling.)
 *
 * PyTorch `torch.optim.Adadelta`; Keras `Adadelta`; Optax `adadelta`. Reference: Zeiler 2012,
 * https://arxiv.org/abs/1212.5701 ; https://pytorch.org/docs/stable/generated/torch.optim.Adadelta.html
 *
 * ```ts
 * const opt = adadelta({lr: 1.0, rho: 0.9});
 * ```
 * @param opts.lr scale of the delta, or a schedule (default 1.0)
 * @param opts.rho running-average decay (default 0.9)
 * @param opts.eps epsilon inside both roots (default 1e-6)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function adadelta(opts: AdadeltaOptions = {}): TorchAdadelta {
  registerOnce(TorchAdadelta); // so tf.loadLayersModel finds it in this process
  return new TorchAdadelta(opts);
}
