import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {inRange, nonNegative, options} from './validate';

/** Options of {@link sgd}; defaults are PyTorch's. */
export interface SgdOptions {
  /** learning rate or schedule */
  lr: LearningRate;
  /** momentum factor, in [0, 1) (default 0) */
  momentum?: number;
  /** dampening of the momentum, in [0, 1] (default 0) */
  dampening?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (default false) */
  nesterov?: boolean;
  /** coupled L2 penalty added to the gradient, >= 0 (default 0) */
  weightDecay?: number;
}

/** PyTorch 1.13 `torch.optim.SGD` as a `tf.Optimizer`; build it with {@link sgd}. */
export class TorchSGD extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainSGD';
  }
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(opts: SgdOptions) {
    const fn = 'sgd';
    options(fn, opts);
    super(fn, opts.lr);
    this.momentum = inRange(fn, 'momentum', opts.momentum ?? 0, 0, 1, true);
    this.dampening = inRange(fn, 'dampening', opts.dampening ?? 0, 0, 1);
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = nonNegative(fn, 'weightDecay', opts.weightDecay ?? 0);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error(`sgd: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum}, dampening ${this.dampening}`);
    }
  }

  protected slotNames(): string[] {
    return this.momentum !== 0 ? ['momentum_buffer'] : [];
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number): void {
    let d = this.weightDecay !== 0 ? tf.add(g, tf.mul(p, this.weightDecay)) : g;
    if (this.momentum !== 0) {
      const buf = s.momentum_buffer;
      // PyTorch: the buffer starts as the first (decayed) gradient, without dampening
      const next = t === 1 ? d : tf.add(tf.mul(buf, this.momentum), tf.mul(d, 1 - this.dampening));
      buf.assign(next);
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
    }
    p.assign(tf.sub(p, tf.mul(d, lr)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {lr: this.currentLr, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay};
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
tf.serialization.registerClass(TorchSGD);

/**
 * SGD with PyTorch 1.13's exact rule: d = g + wd·p; buf = d on the first step, then
 * buf = momentum·buf + (1 − dampening)·d; d = nesterov ? d + momentum·buf : buf; p ← p − lr·d.
 *
 * PyTorch `torch.optim.SGD`; Keras/TF.js `SGD(momentum, nesterov)` differ (their momentum buffer
 * accumulates lr·g and starts at 0). Reference: Sutskever et al. 2013,
 * http://proceedings.mlr.press/v28/sutskever13.html
 *
 * ```ts
 * const opt = sgd({lr: cosineDecay({initial: 0.1, decaySteps: 1000}), momentum: 0.9, weightDecay: 5e-4});
 * opt.minimize(() => loss());
 * ```
 * @param opts.lr learning rate or schedule
 * @param opts.momentum momentum factor (default 0)
 * @param opts.dampening momentum dampening (default 0)
 * @param opts.nesterov Nesterov momentum (default false)
 * @param opts.weightDecay coupled L2 factor (default 0)
 */
export function sgd(opts: SgdOptions): TorchSGD {
  return new TorchSGD(opts);
}
