import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {nonNegative, options, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link adagrad}; defaults are PyTorch's. */
export interface AdagradOptions {
  /** learning rate or schedule */
  lr: LearningRate;
  /** lr ← lr / (1 + (t − 1)·lrDecay), >= 0 (default 0) */
  lrDecay?: number;
  /** added to √sum, > 0 (default 1e-10) */
  eps?: number;
  /** starting value of the accumulator, >= 0 (default 0; tfjs uses 0.1) */
  initialAccumulatorValue?: number;
  /** coupled L2 factor, >= 0 (default 0) */
  weightDecay?: number;
  /** maximize the objective: each update uses −g (PyTorch `maximize`) (default false) */
  maximize?: boolean;
}

/** PyTorch 1.13 `torch.optim.Adagrad` as a `tf.Optimizer`; build it with {@link adagrad}. */
export class TorchAdagrad extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainAdagrad';
  }
  readonly lrDecay: number;
  readonly eps: number;
  readonly initialAccumulatorValue: number;
  readonly weightDecay: number;

  constructor(opts: AdagradOptions) {
    const fn = 'adagrad';
    options(fn, opts);
    super(fn, opts.lr, opts.maximize ?? false);
    this.lrDecay = nonNegative(fn, 'lrDecay', opts.lrDecay ?? 0);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-10);
    this.initialAccumulatorValue = nonNegative(fn, 'initialAccumulatorValue', opts.initialAccumulatorValue ?? 0);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
  }

  protected slotNames(): string[] {
    return ['sum'];
  }

  protected override initSlot(_slot: string, p: tf.Variable): tf.Tensor {
    return tf.fill(p.shape, this.initialAccumulatorValue);
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number): void {
    if (this.weightDecay !== 0) g = tf.add(g, tf.mul(p, this.weightDecay));
    const clr = lr / (1 + (t - 1) * this.lrDecay);
    s.sum.assign(tf.add(s.sum, tf.square(g)));
    // PyTorch: eps outside the sqrt (tfjs puts it inside)
    p.assign(tf.sub(p, tf.mul(tf.div(g, tf.add(tf.sqrt(s.sum), this.eps)), clr)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {lrDecay, eps, initialAccumulatorValue, weightDecay} = this;
    return {lr: this.configLr, lrDecay, eps, initialAccumulatorValue, weightDecay, maximize: this.maximize};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

/**
 * Adagrad with PyTorch 1.13's exact rule (t = 1-based step): g ← g + wd·p; sum ← sum + g²;
 * p ← p − lr/(1 + (t−1)·lrDecay) · g / (√sum + eps). The accumulator starts at
 * initialAccumulatorValue (0; tfjs starts at 0.1 and puts eps inside the sqrt).
 *
 * PyTorch `torch.optim.Adagrad`; Keras `Adagrad`; Optax `adagrad`. Reference: Duchi et al. 2011,
 * https://jmlr.org/papers/v12/duchi11a.html
 *
 * ```ts
 * const opt = adagrad({lr: 0.1});
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.lrDecay lr decay per step (default 0)
 * @param opts.eps denominator epsilon (default 1e-10)
 * @param opts.initialAccumulatorValue accumulator start (default 0)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function adagrad(opts: AdagradOptions): TorchAdagrad {
  registerOnce(TorchAdagrad); // so tf.loadLayersModel finds it in this process
  return new TorchAdagrad(opts);
}
