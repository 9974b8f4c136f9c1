import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type ScheduledValue, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, nonNegative, options} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link sgd}; defaults are PyTorch's. */
export interface SgdOptions {
  /** learning rate or schedule */
  lr: LearningRate;
  /**
   * momentum factor in [0, 1), or a schedule of it such as `oneCycleMomentum` (evaluated at the
   * optimizer's step, like the lr; a schedule turns momentum on) (default 0)
   */
  momentum?: ScheduledValue;
  /** dampening of the momentum, in [0, 1] (default 0) */
  dampening?: number;
  /** Nesterov momentum; needs momentum > 0 (or a schedule) and dampening 0 (default false) */
  nesterov?: boolean;
  /** coupled L2 penalty added to the gradient, >= 0 (default 0) */
  weightDecay?: number;
  /** maximize the objective: each update uses −g (PyTorch `maximize`) (default false) */
  maximize?: boolean;
}

/** PyTorch 1.13 `torch.optim.SGD` as a `tf.Optimizer`; build it with {@link sgd}. */
export class TorchSGD extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainSGD';
  }
  /** the momentum option as given (number or schedule) */
  readonly momentum: ScheduledValue;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(opts: SgdOptions) {
    const fn = 'sgd';
    options(fn, opts);
    super(fn, opts.lr, opts.maximize ?? false);
    this.momentum = this.scheduledOption('momentum', opts.momentum ?? 0, 0, 1, true);
    this.dampening = inRange(fn, 'dampening', opts.dampening ?? 0, 0, 1);
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
    // as PyTorch, checked once at construction; a schedule counts as momentum > 0
    const noMomentum = typeof this.momentum === 'number' && this.momentum <= 0;
    if (this.nesterov && (noMomentum || this.dampening !== 0)) {
      const m = typeof this.momentum === 'number' ? this.momentum : 'schedule';
      throw new Error(`sgd: nesterov must be false unless momentum > 0 and dampening 0, got momentum ${m}, dampening ${this.dampening}`);
    }
  }

  /** The momentum the next update will use: `momentum` or `momentum(step)`. */
  get currentMomentum(): number {
    return this.currentValue('momentum');
  }

  protected slotNames(): string[] {
    return this.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  /** PyTorch keeps no buffer until the first step with momentum != 0: made by `update`. */
  protected override initSlot(): null {
    return null;
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, _t: number, hp: Readonly<Record<string, number>>): void {
    const mu = hp.momentum;
    let d = this.weightDecay !== 0 ? tf.add(g, tf.mul(p, this.weightDecay)) : g;
    // PyTorch tests the group's *current* momentum at every step: with μ_t = 0 the step is plain
    // SGD and the buffer is left as it is
    if (mu !== 0) {
      let buf = s.momentum_buffer;
      // PyTorch: the buffer starts as the first (decayed) gradient, without dampening
      if (!buf) buf = this.createSlot(s, 'momentum_buffer', d);
      else buf.assign(tf.add(tf.mul(buf, mu), tf.mul(d, 1 - this.dampening)));
      d = this.nesterov ? tf.add(d, tf.mul(buf, mu)) : buf;
    }
    p.assign(tf.sub(p, tf.mul(d, lr)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {lr: this.configLr, momentum: this.currentMomentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay, maximize: this.maximize};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

/**
 * SGD with PyTorch 1.13's exact rule: d = g + wd·p; buf = d on the first step, then
 * buf = μ_t·buf + (1 − dampening)·d; d = nesterov ? d + μ_t·buf : buf; p ← p − lr·d.
 *
 * `momentum` may be a schedule (μ_t = momentum(step), e.g. `oneCycleMomentum` or
 * `cyclicMomentum`): that is PyTorch's `OneCycleLR`/`CyclicLR` with `cycle_momentum=True`,
 * which set `param_groups[i]['momentum']` before each step. A schedule means momentum is on
 * (the buffer is kept, and `nesterov` is allowed). As in PyTorch, which tests the current
 * `momentum != 0` at every step, a step where μ_t is exactly 0 is a plain SGD step that leaves
 * the buffer as it is, and the buffer is born (as d) at the first step with μ_t ≠ 0.
 * https://pytorch.org/docs/1.13/generated/torch.optim.lr_scheduler.OneCycleLR.html
 *
 * PyTorch `torch.optim.SGD`; Keras/TF.js `SGD(momentum, nesterov)` differ (their momentum buffer
 * accumulates lr·g and starts at 0). Reference: Sutskever et al. 2013,
 * http://proceedings.mlr.press/v28/sutskever13.html
 *
 * ```ts
 * const opt = sgd({lr: cosineDecay({initial: 0.1, decaySteps: 1000}), momentum: 0.9, weightDecay: 5e-4});
 * opt.minimize(() => loss());
 * // one-cycle lr with the momentum moving against it (PyTorch OneCycleLR, cycle_momentum=True)
 * const cyc = {maxValue: 0.1, totalSteps: 1000};
 * const sgd1 = sgd({lr: oneCycle(cyc), momentum: oneCycleMomentum(cyc), nesterov: true});
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.momentum momentum factor, or a schedule of it (default 0)
 * @param opts.dampening momentum dampening (default 0)
 * @param opts.nesterov Nesterov momentum (default false)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function sgd(opts: SgdOptions): TorchSGD {
  registerOnce(TorchSGD); // so tf.loadLayersModel finds it in this process
  return new TorchSGD(opts);
}
