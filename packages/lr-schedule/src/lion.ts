import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, knownOptions, nonNegative} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link lion}; defaults are Optax's. */
export interface LionOptions {
  /** learning rate or schedule (required; Lion wants 3-10x less than AdamW) */
  lr: LearningRate;
  /** interpolation of the update direction, in [0, 1] (default 0.9) */
  beta1?: number;
  /** decay of the stored momentum, in [0, 1] (default 0.99) */
  beta2?: number;
  /** decoupled decay p ← p − lr·wd·p, >= 0 (default 1e-3, as Optax) */
  weightDecay?: number;
}

const KEYS = ['lr', 'beta1', 'beta2', 'weightDecay'] as const;

/** Optax `lion` as a `tf.Optimizer`; build it with {@link lion}. */
export class TorchLion extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainLion';
  }
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;

  constructor(opts: LionOptions) {
    const fn = 'lion';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr);
    this.beta1 = inRange(fn, 'beta1', opts.beta1 ?? 0.9, 0, 1);
    this.beta2 = inRange(fn, 'beta2', opts.beta2 ?? 0.99, 0, 1);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 1e-3);
  }

  protected slotNames(): string[] {
    return ['mu'];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number): void {
    const {beta1: b1, beta2: b2, weightDecay: wd} = this;
    let u: tf.Tensor = tf.sign(tf.add(tf.mul(g, 1 - b1), tf.mul(s.mu, b1)));
    if (wd !== 0) u = tf.add(u, tf.mul(p, wd)); // pre-step p
    p.assign(tf.sub(p, tf.mul(u, lr)));
    s.mu.assign(tf.add(tf.mul(g, 1 - b2), tf.mul(s.mu, b2))); // after its use
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {beta1, beta2, weightDecay} = this;
    return {lr: this.configLr, beta1, beta2, weightDecay};
  }
}

/**
 * Lion (evolved sign momentum) with Optax's exact rule: c = β1·m + (1−β1)·g;
 * p ← p − lr·(sign(c) + wd·p) (sign(0) = 0, wd on the pre-step p, times lr);
 * then m ← β2·m + (1−β2)·g. Two betas: β1 for the update, β2 for the stored momentum.
 * Optax defaults, including weightDecay 1e-3.
 *
 * Optax `lion` (github google-deepmind/optax, `optax/_src/alias.py`, `transform.scale_by_lion`);
 * PyTorch: none in torch.optim. Reference: Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", https://arxiv.org/abs/2302.06675
 *
 * ```ts
 * const opt = lion({lr: 1e-4, weightDecay: 0.1});
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.beta1 update interpolation (default 0.9)
 * @param opts.beta2 momentum decay (default 0.99)
 * @param opts.weightDecay decoupled decay factor, multiplied by lr (default 1e-3)
 */
export function lion(opts: LionOptions): TorchLion {
  registerOnce(TorchLion); // so tf.loadLayersModel finds it in this process
  return new TorchLion(opts);
}
