import * as tf from '@tensorflow/tfjs-core';
import {type LearningRate, type Slots, TorchOptimizer} from './torch_optimizer';
import {bool, inRange, integer, knownOptions, nonNegative, positive} from './validate';
import {registerOnce} from './register_once';

/** Options of {@link adafactor}; defaults are Optax's. */
export interface AdafactorOptions {
  /** learning rate or schedule; `null` = no lr scaling at all (default null, as Optax) */
  lr?: LearningRate | null;
  /** factor a tensor only if its second-largest dim is >= this, integer >= 1 (default 128) */
  minDimSizeToFactor?: number;
  /** β_t = 1 − (t − decayOffset)^(−decayRate), >= 0 (default 0.8) */
  decayRate?: number;
  /** subtracted from the 1-based step in β_t, integer >= 0 (default 0) */
  decayOffset?: number;
  /** multiply the update by max(rms(p), 1e-3) (default true) */
  multiplyByParameterScale?: boolean;
  /** clip the update's rms to this, > 0; `null` = no clipping (default 1.0) */
  clippingThreshold?: number | null;
  /** EMA of the update (no debias), in [0, 1]; `null` = none (default null) */
  momentum?: number | null;
  /** u ← u + rate·p after the lr scaling (not multiplied by lr), >= 0; `null` = none (default null) */
  weightDecayRate?: number | null;
  /** added to g² before averaging, > 0 (default 1e-30) */
  eps?: number;
  /** factor the second moment of tensors with two dims >= minDimSizeToFactor (default true) */
  factored?: boolean;
}

const KEYS = ['lr', 'minDimSizeToFactor', 'decayRate', 'decayOffset', 'multiplyByParameterScale',
  'clippingThreshold', 'momentum', 'weightDecayRate', 'eps', 'factored'] as const;

/** Optax `adafactor` as a `tf.Optimizer`; build it with {@link adafactor}. */
export class TorchAdafactor extends TorchOptimizer {
  static get className(): string {
    return 'StableTrainAdafactor';
  }
  readonly minDimSizeToFactor: number;
  readonly decayRate: number;
  readonly decayOffset: number;
  readonly multiplyByParameterScale: boolean;
  readonly clippingThreshold: number | null;
  readonly momentum: number | null;
  readonly weightDecayRate: number | null;
  readonly eps: number;
  readonly factored: boolean;
  /** built with `lr: null` (no lr scaling: lr is 1, which scales exactly by nothing) */
  private readonly noLr: boolean;

  constructor(opts: AdafactorOptions = {}) {
    const fn = 'adafactor';
    knownOptions(fn, opts, KEYS);
    super(fn, opts.lr ?? 1);
    this.noLr = opts.lr == null;
    this.minDimSizeToFactor = integer(fn, 'minDimSizeToFactor', opts.minDimSizeToFactor ?? 128, 1);
    this.decayRate = nonNegative(fn, 'decayRate', opts.decayRate ?? 0.8);
    this.decayOffset = integer(fn, 'decayOffset', opts.decayOffset ?? 0, 0);
    this.multiplyByParameterScale = bool(fn, 'multiplyByParameterScale', opts.multiplyByParameterScale ?? true);
    const ct = opts.clippingThreshold === undefined ? 1.0 : opts.clippingThreshold;
    this.clippingThreshold = ct === null ? null : positive(fn, 'clippingThreshold', ct);
    this.momentum = opts.momentum == null ? null : inRange(fn, 'momentum', opts.momentum, 0, 1);
    this.weightDecayRate = opts.weightDecayRate == null ? null : nonNegative(fn, 'weightDecayRate', opts.weightDecayRate);
    this.eps = positive(fn, 'eps', opts.eps ?? 1e-30);
    this.factored = bool(fn, 'factored', opts.factored ?? true);
  }

  /**
   * `[d1, d0]` (second-largest, largest axis; ties: stable argsort, the later axis is larger) when
   * a tensor of this shape is factored, else null (Optax `_factored_dims`).
   */
  factoredDims(shape: readonly number[]): [number, number] | null {
    if (!this.factored || shape.length < 2) return null;
    const order = shape.map((d, i) => [d, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[1]);
    const d1 = order[order.length - 2];
    const d0 = order[order.length - 1];
    return shape[d1] < this.minDimSizeToFactor ? null : [d1, d0];
  }

  /** β_t = 1 − (t − decayOffset)^(−decayRate) is undefined (the update NaN) for t <= decayOffset. */
  protected override checkUpdate(t: number): void {
    if (t <= this.decayOffset) {
      throw new Error(`adafactor: decayOffset must be below the step t of every update (β_t is undefined, the update NaN, for t <= decayOffset), got decayOffset ${this.decayOffset} at t = ${t}`);
    }
  }

  protected slotNames(): string[] {
    return this.momentum === null ? ['v_row', 'v_col', 'v'] : ['v_row', 'v_col', 'v', 'ema'];
  }

  protected override initSlot(slot: string, p: tf.Variable): tf.Tensor | null {
    const dims = this.factoredDims(p.shape);
    const without = (axis: number) => p.shape.filter((_, i) => i !== axis);
    if (slot === 'v_row') return dims ? tf.zeros(without(dims[1])) : null;
    if (slot === 'v_col') return dims ? tf.zeros(without(dims[0])) : null;
    if (slot === 'v') return dims ? null : tf.zerosLike(p);
    return tf.zerosLike(p); // ema
  }

  protected update(p: tf.Variable, g: tf.Tensor, s: Slots, lr: number, t: number): void {
    const beta = 1 - (t - this.decayOffset) ** -this.decayRate;
    const g2 = tf.add(tf.square(g), this.eps);
    const dims = this.factoredDims(p.shape);
    let u: tf.Tensor;
    if (dims) {
      const [d1, d0] = dims;
      s.v_row.assign(tf.add(tf.mul(s.v_row, beta), tf.mul(tf.mean(g2, d0), 1 - beta)));
      s.v_col.assign(tf.add(tf.mul(s.v_col, beta), tf.mul(tf.mean(g2, d1), 1 - beta)));
      const reducedD1 = d1 > d0 ? d1 - 1 : d1;
      const rowFactor = tf.rsqrt(tf.div(s.v_row, tf.mean(s.v_row, reducedD1, true)));
      const colFactor = tf.rsqrt(s.v_col);
      u = tf.mul(tf.mul(g, tf.expandDims(rowFactor, d0)), tf.expandDims(colFactor, d1));
    } else {
      s.v.assign(tf.add(tf.mul(s.v, beta), tf.mul(g2, 1 - beta)));
      u = tf.mul(g, tf.rsqrt(s.v));
    }
    const rms = (x: tf.Tensor) => tf.sqrt(tf.mean(tf.square(x)));
    if (this.clippingThreshold !== null) u = tf.div(u, tf.maximum(1, tf.div(rms(u), this.clippingThreshold)));
    if (!this.noLr || lr !== 1) u = tf.mul(u, lr);
    if (this.multiplyByParameterScale) u = tf.mul(u, tf.maximum(rms(p), 1e-3));
    if (this.momentum !== null) {
      s.ema.assign(tf.add(tf.mul(u, 1 - this.momentum), tf.mul(s.ema, this.momentum)));
      u = s.ema;
    }
    if (this.weightDecayRate !== null) u = tf.add(u, tf.mul(p, this.weightDecayRate));
    p.assign(tf.sub(p, u));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const {minDimSizeToFactor, decayRate, decayOffset, multiplyByParameterScale, clippingThreshold, momentum, weightDecayRate, eps, factored} = this;
    const lr = this.noLr && this.lr === 1 ? null : this.configLr;
    return {lr, minDimSizeToFactor, decayRate, decayOffset, multiplyByParameterScale, clippingThreshold, momentum, weightDecayRate, eps, factored};
  }
}

/**
 * Adafactor with Optax's exact rule (t = 1-based step, per tensor):
 * 1. β_t = 1 − (t − decayOffset)^(−decayRate) (β_1 = 0); g2 = g² + eps.
 *    Factored (ndim >= 2 and second-largest dim >= minDimSizeToFactor; d0 = largest axis,
 *    d1 = second largest): R ← β_t·R + (1−β_t)·mean(g2, d0), C ← β_t·C + (1−β_t)·mean(g2, d1),
 *    u = g / √(R·C/mean(R)). Otherwise v ← β_t·v + (1−β_t)·g2, u = g/√v.
 * 2. clip: u ← u / max(1, rms(u)/clippingThreshold) (rms over the whole tensor).
 * 3. u ← lr·u (skipped when lr is null). 4. u ← u·max(rms(p), 1e-3) if multiplyByParameterScale.
 * 5. momentum: e ← μ·e + (1−μ)·u, u = e (no debias). 6. u ← u + weightDecayRate·p (not × lr).
 * 7. p ← p − u.
 * Factoring follows the TF.js layout of each tensor (dense kernel [in, out], conv [h, w, in, out]).
 * Optax evaluates t^(−decayRate) in float32; this does it in float64. As in Optax, steps
 * t <= decayOffset have no defined β_t (the update is not finite): start such runs with the
 * offset already passed.
 *
 * Optax `adafactor` (github google-deepmind/optax, `optax/_src/alias.py`,
 * `optax/_src/factorized.py` scale_by_factored_rms); PyTorch: none in torch.optim 1.13.
 * Reference: Shazeer & Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
 * Cost", https://arxiv.org/abs/1804.04235
 *
 * ```ts
 * const opt = adafactor({lr: 1e-2, minDimSizeToFactor: 32});
 * ```
 * @param opts.lr lr or schedule; null = no lr scaling (default null)
 * @param opts.minDimSizeToFactor factoring threshold (default 128)
 * @param opts.decayRate exponent of β_t (default 0.8)
 * @param opts.decayOffset step offset in β_t (default 0)
 * @param opts.multiplyByParameterScale scale by max(rms(p), 1e-3) (default true)
 * @param opts.clippingThreshold update rms clip, or null (default 1.0)
 * @param opts.momentum update EMA, or null (default null)
 * @param opts.weightDecayRate decay not multiplied by lr, or null (default null)
 * @param opts.eps added to g² (default 1e-30)
 * @param opts.factored allow factoring (default true)
 */
export function adafactor(opts: AdafactorOptions = {}): TorchAdafactor {
  registerOnce(TorchAdafactor); // so tf.loadLayersModel finds it in this process
  return new TorchAdafactor(opts);
}
