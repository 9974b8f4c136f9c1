import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type ScheduledValue, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, nonNegative, options, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link adam}; defaults are PyTorch's. */
export interface AdamOptions {
  /** learning rate or schedule */
  lr: LearningRate;
  /**
   * first-moment decay in [0, 1), or a schedule of it such as `oneCycleMomentum` (evaluated at
   * the optimizer's step, like the lr) (default 0.9)
   */
  beta1?: ScheduledValue;
  /** second-moment decay, in [0, 1) (default 0.999) */
  beta2?: number;
  /** added to the bias-corrected √v, > 0 (default 1e-8; never taken from the backend) */
  eps?: number;
  /** coupled L2 (adam) or decoupled decay (adamw), >= 0 (default 0; adamw 0.01) */
  weightDecay?: number;
  /** keep the running maximum of v (AMSGrad) (default false) */
  amsgrad?: boolean;
  /** maximize the objective: each update uses −g (PyTorch `maximize`) (default false) */
  maximize?: boolean;
}

/** PyTorch 1.13 `torch.optim.Adam` (and, decoupled, `AdamW`) as a `tf.Optimizer`; build it with {@link adam}. */
export class TorchAdam extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainAdam';
  }
  /** the beta1 option as given (number or schedule) */
  readonly beta1: ScheduledValue;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** true: AdamW's p ← p·(1 − lr·wd) before the step; false: Adam's g ← g + wd·p */
  protected readonly decoupled: boolean;

  constructor(opts: AdamOptions, fn = 'adam', decoupled = false) {
    options(fn, opts);
    super(fn, opts.lr, opts.maximize ?? false);
    this.beta1 = this.scheduledOption('beta1', opts.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = inRange(fn, 'beta2', opts.beta2 ?? 0.999, 0, 1, true);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-8);
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? (decoupled ? 0.01 : 0));
    this.amsgrad = opts.amsgrad ?? false;
    this.decoupled = decoupled;
  }

  /** The beta1 the next update will use: `beta1` or `beta1(step)`. */
  get currentBeta1(): number {
    return this.currentValue('beta1');
  }

  protected slotNames(): string[] {
    return this.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number, hp: Readonly<Record<string, number>>): void {
    const wd = this.weightDecay;
    if (wd !== 0 && this.decoupled) p.assign(tf.mul(p, 1 - lr * wd));
    else if (wd !== 0) g = tf.add(g, tf.mul(p, wd));
    const b1 = hp.beta1; // β1_t: this step's value when beta1 is a schedule
    const b2 = this.beta2;
    s.exp_avg.assign(tf.add(tf.mul(s.exp_avg, b1), tf.mul(g, 1 - b1)));
    s.exp_avg_sq.assign(tf.add(tf.mul(s.exp_avg_sq, b2), tf.mul(tf.square(g), 1 - b2)));
    let v: tf.Tensor = s.exp_avg_sq;
    if (this.amsgrad) {
      s.max_exp_avg_sq.assign(tf.maximum(s.max_exp_avg_sq, v));
      v = s.max_exp_avg_sq;
    }
    // PyTorch: bias_correction1 = 1 - beta1 ** step, with the group's current beta1
    const stepSize = lr / (1 - b1 ** t);
    // PyTorch: eps is added after the sqrt of the bias-corrected v
    const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - b2 ** t)), this.eps);
    p.assign(tf.sub(p, tf.mul(tf.div(s.exp_avg, denom), stepSize)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {beta2, eps, weightDecay, amsgrad} = this;
    return {lr: this.configLr, beta1: this.currentBeta1, beta2, eps, weightDecay, amsgrad, maximize: this.maximize};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

/**
 * Adam with PyTorch 1.13's exact rule (t = 1-based step): g ← g + wd·p;
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1^t) · m / (√v/√(1−β2^t) + eps)
 * (AMSGrad: v replaced by its running maximum in the denominator). eps defaults to 1e-8 and is
 * never taken from the backend (tfjs's Adam uses `backend.epsilon()`, 1e-4 on WebGL).
 *
 * `beta1` may be a schedule (β1_t = beta1(step), e.g. `oneCycleMomentum`): that is PyTorch's
 * `OneCycleLR`/`CyclicLR` with `cycle_momentum=True`, which set `betas[0]` before each step. Then
 * m ← β1_t·m + (1−β1_t)·g and the bias correction is 1 − β1_t^t with the *current* β1_t and the
 * variable's step t, exactly as PyTorch 1.13 computes `bias_correction1 = 1 - beta1 ** step`.
 * (TF.js's Adam instead accumulates the product of the betas it has used, ∏ β1_k, so the two
 * differ as soon as β1 changes.)
 * https://pytorch.org/docs/1.13/generated/torch.optim.Adam.html ,
 * https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.OneCycleLR.html
 *
 * PyTorch `torch.optim.Adam`; Keras `Adam`; Optax `adam`. Reference: Kingma & Ba 2015,
 * https://arxiv.org/abs/1412.6980 ; AMSGrad: Reddi et al. 2018, https://openreview.net/forum?id=ryQu7f-RZ
 *
 * ```ts
 * const opt = adam({lr: 1e-3});
 * model.compile({optimizer: opt, loss: 'meanSquaredError'});
 * // one-cycle lr with beta1 moving against it (PyTorch OneCycleLR, cycle_momentum=True)
 * const cyc = {maxValue: 3e-3, totalSteps: 1000};
 * const adam1 = adam({lr: oneCycle(cyc), beta1: oneCycleMomentum(cyc)});
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.beta1 first-moment decay, or a schedule of it (default 0.9)
 * @param opts.beta2 second-moment decay (default 0.999)
 * @param opts.eps denominator epsilon (default 1e-8)
 * @param opts.weightDecay coupled L2 factor (default 0)
 * @param opts.amsgrad AMSGrad variant (default false)
 */
export function adam(opts: AdamOptions): TorchAdam {
  registerOnce(TorchAdam); // so tf.loadLayersModel finds it in this process
  return new TorchAdam(opts);
}
