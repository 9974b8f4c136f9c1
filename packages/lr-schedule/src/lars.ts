import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {trustRatio} from './trust_ratio';
import {bool, inRange, knownOptions, nonNegative} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link lars}; defaults are Optax's. */
export interface LarsOptions {
  /** learning rate or schedule (required) */
  lr: LearningRate;
  /** momentum of the trace, in [0, 1] (default 0.9) */
  momentum?: number;
  /** wd·p added to the gradient before the trust ratio, >= 0 (default 0) */
  weightDecay?: number;
  /** η of r = η·‖p‖/(‖u‖ + eps), >= 0 (default 0.001) */
  trustCoefficient?: number;
  /** added to ‖u‖, >= 0 (default 0) */
  eps?: number;
  /** Nesterov momentum (default false) */
  nesterov?: boolean;
}

const KEYS = ['lr', 'momentum', 'weightDecay', 'trustCoefficient', 'eps', 'nesterov'] as const;

/** Optax `lars` as a `tf.Optimizer`; build it with {@link lars}. */
export class TorchLars extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainLars';
  }
  readonly momentum: number;
  readonly weightDecay: number;
  readonly trustCoefficient: number;
  readonly eps: number;
  readonly nesterov: boolean;

  constructor(opts: LarsOptions) {
    const fn = 'lars';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr);
    this.momentum = inRange(fn, 'momentum', opts.momentum ?? 0.9, 0, 1);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
    this.trustCoefficient = nonNegative(fn, 'trustCoefficient', opts.trustCoefficient ?? 0.001);
    this.eps = nonNegative(fn, 'eps', opts.eps ?? 0);
    this.nesterov = bool(fn, 'nesterov', opts.nesterov ?? false);
  }

  protected slotNames(): string[] {
    return ['trace'];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number): void {
    const mu = this.momentum;
    let u: tf.Tensor = this.weightDecay !== 0 ? tf.add(g, tf.mul(p, this.weightDecay)) : g;
    u = tf.mul(tf.mul(u, trustRatio(p, u, this.trustCoefficient, this.eps)), -lr); // lr before momentum
    s.trace.assign(tf.add(u, tf.mul(s.trace, mu)));
    p.assign(tf.add(p, this.nesterov ? tf.add(u, tf.mul(s.trace, mu)) : s.trace));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {momentum, weightDecay, trustCoefficient, eps, nesterov} = this;
    return {lr: this.configLr, momentum, weightDecay, trustCoefficient, eps, nesterov};
  }
}

/**
 * LARS (layer-wise adaptive rate scaling) with Optax's exact rule: u = g + wd·p;
 * r = η·‖p‖/(‖u‖ + eps) per tensor (whole-tensor norms, biases included; r = 1 if either norm
 * is 0); u ← −lr·r·u; trace ← u + μ·trace; p ← p + trace (Nesterov: p ← p + u + μ·trace).
 * The lr is applied **before** the momentum accumulation, so an lr change does not rescale the
 * stored trace.
 *
 * Optax `lars` (github google-deepmind/optax, `optax/_src/alias.py`: add_decayed_weights,
 * scale_by_trust_ratio, scale_by_learning_rate, trace); PyTorch: none in torch.optim.
 * Reference: You et al. 2017, "Large Batch Training of Convolutional Networks",
 * https://arxiv.org/abs/1708.03888
 *
 * ```ts
 * const opt = lars({lr: 1.0, weightDecay: 1e-4});
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.momentum trace momentum (default 0.9)
 * @param opts.weightDecay decay added to the gradient (default 0)
 * @param opts.trustCoefficient η (default 0.001)
 * @param opts.eps added to ‖u‖ (default 0)
 * @param opts.nesterov Nesterov momentum (default false)
 */
export function lars(opts: LarsOptions): TorchLars {
  registerOnce(TorchLars); // so tf.loadLayersModel finds it in this process
  return new TorchLars(opts);
}
