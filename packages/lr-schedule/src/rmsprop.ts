import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, nonNegative, options, positive} from './validate';

/** Options of {@link rmsprop}; defaults are PyTorch's. */
export interface RmspropOptions {
  /** learning rate or schedule */
  lr: LearningRate;
  /** decay of the squared-gradient average, in [0, 1) (default 0.99; Keras/tfjs 0.9) */
  alpha?: number;
  /** added to the square root, > 0 (default 1e-8) */
  eps?: number;
  /** momentum factor, in [0, 1) (default 0) */
  momentum?: number;
  /** divide by the centred (variance) estimate (default false) */
  centered?: boolean;
  /** coupled L2 factor, >= 0 (default 0) */
  weightDecay?: number;
}

/** PyTorch 1.13 `torch.optim.RMSprop` as a `tf.Optimizer`; build it with {@link rmsprop}. */
export class TorchRMSprop extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainRMSprop';
  }
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly weightDecay: number;

  constructor(opts: RmspropOptions) {
    const fn = 'rmsprop';
    options(fn, opts);
    super(fn, opts.lr);
    this.alpha = inRange(fn, 'alpha', opts.alpha ?? 0.99, 0, 1, true);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-8);
    this.momentum = inRange(fn, 'momentum', opts.momentum ?? 0, 0, 1, true);
    this.centered = opts.centered ?? false;
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
  }

  protected slotNames(): string[] {
    const s = ['square_avg'];
    if (this.momentum > 0) s.push('momentum_buffer');
    if (this.centered) s.push('grad_avg');
    return s;
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number): void {
    const a = this.alpha;
    if (this.weightDecay !== 0) g = tf.add(g, tf.mul(p, this.weightDecay));
    s.square_avg.assign(tf.add(tf.mul(s.square_avg, a), tf.mul(tf.square(g), 1 - a)));
    let avg: tf.Tensor;
    if (this.centered) {
      s.grad_avg.assign(tf.add(tf.mul(s.grad_avg, a), tf.mul(g, 1 - a)));
      avg = tf.sqrt(tf.sub(s.square_avg, tf.square(s.grad_avg)));
    } else {
      avg = tf.sqrt(s.square_avg);
    }
    // PyTorch: eps outside the sqrt (tfjs puts it inside)
    avg = tf.add(avg, this.eps);
    if (this.momentum > 0) {
      s.momentum_buffer.assign(tf.add(tf.mul(s.momentum_buffer, this.momentum), tf.div(g, avg)));
      p.assign(tf.sub(p, tf.mul(s.momentum_buffer, lr)));
    } else {
      p.assign(tf.sub(p, tf.mul(tf.div(g, avg), lr)));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {alpha, eps, momentum, centered, weightDecay} = this;
    return {lr: this.currentLr, alpha, eps, momentum, centered, weightDecay};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
tf.serialization.registerClass(TorchRMSprop);

/**
 * RMSprop with PyTorch 1.13's exact rule: g ← g + wd·p; sq ← α·sq + (1−α)·g²;
 * centred: ga ← α·ga + (1−α)·g, den = √(sq − ga²) + eps, else den = √sq + eps;
 * momentum > 0: buf ← μ·buf + g/den, p ← p − lr·buf; else p ← p − lr·g/den.
 *
 * PyTorch `torch.optim.RMSprop` (tfjs/Keras put eps inside the sqrt and default alpha 0.9).
 * Reference: Hinton, Lecture 6e, http://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf
 *
 * ```ts
 * const opt = rmsprop({lr: 1e-3, alpha: 0.9, centered: true});
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.alpha squared-average decay (default 0.99)
 * @param opts.eps denominator epsilon (default 1e-8)
 * @param opts.momentum momentum factor (default 0)
 * @param opts.centered centred variant (default false)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function rmsprop(opts: RmspropOptions): TorchRMSprop {
  return new TorchRMSprop(opts);
}
