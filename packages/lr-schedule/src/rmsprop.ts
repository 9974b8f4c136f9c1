import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type ScheduledValue, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, nonNegative, options, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link rmsprop}; defaults are PyTorch's. */
export interface RmspropOptions {
  /** learning rate or schedule */
  lr: LearningRate;
  /** decay of the squared-gradient average, in [0, 1) (default 0.99; Keras/tfjs 0.9) */
  alpha?: number;
  /** added to the square root, > 0 (default 1e-8) */
  eps?: number;
  /**
   * momentum factor in [0, 1), or a schedule of it such as `cyclicMomentum` (evaluated at the
   * optimizer's step, like the lr; a schedule turns momentum on) (default 0)
   */
  momentum?: ScheduledValue;
  /** divide by the centred (variance) estimate (default false) */
  centered?: boolean;
  /** coupled L2 factor, >= 0 (default 0) */
  weightDecay?: number;
  /** maximize the objective: each update uses −g (PyTorch `maximize`) (default false) */
  maximize?: boolean;
}

/** PyTorch 1.13 `torch.optim.RMSprop` as a `tf.Optimizer`; build it with {@link rmsprop}. */
export class TorchRMSprop extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainRMSprop';
  }
  readonly alpha: number;
  readonly eps: number;
  /** the momentum option as given (number or schedule) */
  readonly momentum: ScheduledValue;
  readonly centered: boolean;
  readonly weightDecay: number;

  constructor(opts: RmspropOptions) {
    const fn = 'rmsprop';
    options(fn, opts);
    super(fn, opts.lr, opts.maximize ?? false);
    this.alpha = inRange(fn, 'alpha', opts.alpha ?? 0.99, 0, 1, true);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-8);
    this.momentum = this.scheduledOption('momentum', opts.momentum ?? 0, 0, 1, true);
    this.centered = opts.centered ?? false;
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
  }

  /** The momentum the next update will use: `momentum` or `momentum(step)`. */
  get currentMomentum(): number {
    return this.currentValue('momentum');
  }

  protected slotNames(): string[] {
    const s = ['square_avg'];
    // a schedule turns momentum on: its buffer is made (zeros) before the first update
    if (typeof this.momentum === 'function' || this.momentum > 0) s.push('momentum_buffer');
    if (this.centered) s.push('grad_avg');
    return s;
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, _t: number, hp: Readonly<Record<string, number>>): void {
    const mu = hp.momentum; // μ_t: this step's value when momentum is a schedule
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
    // PyTorch tests the group's current momentum > 0 at every step (μ_t = 0: buffer untouched)
    if (mu > 0) {
      s.momentum_buffer.assign(tf.add(tf.mul(s.momentum_buffer, mu), tf.div(g, avg)));
      p.assign(tf.sub(p, tf.mul(s.momentum_buffer, lr)));
    } else {
      p.assign(tf.sub(p, tf.mul(tf.div(g, avg), lr)));
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {alpha, eps, centered, weightDecay} = this;
    return {lr: this.configLr, alpha, eps, momentum: this.currentMomentum, centered, weightDecay, maximize: this.maximize};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

/**
 * RMSprop with PyTorch 1.13's exact rule: g ← g + wd·p; sq ← α·sq + (1−α)·g²;
 * centred: ga ← α·ga + (1−α)·g, den = √(sq − ga²) + eps, else den = √sq + eps;
 * μ_t > 0: buf ← μ_t·buf + g/den, p ← p − lr·buf; else p ← p − lr·g/den.
 *
 * `momentum` may be a schedule (μ_t = momentum(step), e.g. `cyclicMomentum`): that is PyTorch's
 * `CyclicLR`/`OneCycleLR` with `cycle_momentum=True`, which set `param_groups[i]['momentum']`
 * before each step. A schedule means momentum is on: the buffer starts at zeros before the first
 * update (PyTorch makes it only if momentum > 0 at the first step and fails later otherwise), and
 * a step where μ_t is exactly 0 is a plain step that leaves the buffer as it is, as in PyTorch.
 * https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.CyclicLR.html
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
 * @param opts.momentum momentum factor, or a schedule of it (default 0)
 * @param opts.centered centred variant (default false)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function rmsprop(opts: RmspropOptions): TorchRMSprop {
  registerOnce(TorchRMSprop); // so tf.loadLayersModel finds it in this process
  return new TorchRMSprop(opts);
}
