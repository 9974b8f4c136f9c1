import * as tf from '@tensorflow/tfjs-core';
import {scaleAll} from './clip_by_global_norm';
import {globalNormUnchecked} from './global_norm';
import type {GradTransform, NamedTensor, NormType} from './types';
import {checkNormType, checkOptions, checkPositive, checkTensorMap, show} from './validate';

/** Options of `AutoClip`. */
export interface AutoClipOptions {
  /** Percentile p of the norm history to clip at, 0 < p <= 100 (default 10, the paper's choice). */
  percentile?: number;
  /** Ring-buffer length: how many recent norms are kept on device (default 1000). */
  historySize?: number;
  /** eps of the global-norm clipping (default 1e-6, as PyTorch). */
  eps?: number;
  /** 1, 2 (default) or `'inf'`. */
  normType?: NormType;
}

/** What `AutoClip.clip` returns (all tensors belong to the caller). */
export interface AutoClipResult {
  grads: tf.NamedTensorMap;
  /** the global norm before clipping */
  norm: tf.Scalar;
  /** the threshold used this step: the p-th percentile of the history including this norm */
  clipValue: tf.Scalar;
}

/** A checkpoint of `AutoClip` (`history` is a copy the caller disposes). */
export interface AutoClipState {
  history: tf.Tensor1D | number[];
  count: number;
}

/** Largest ring buffer AutoClip accepts (4 MB of float32 on device). */
const MAX_HISTORY = 1_000_000;

/**
 * AutoClip: clips the global gradient norm at the p-th percentile of the norms seen so far:
 * h ← h ∪ {‖g‖};  c = percentile(h, p);  g ← g · min(1, c / (‖g‖ + eps)).
 *
 * Seetharaman, Wichern, Pardo & Le Roux 2020, "AutoClip: Adaptive Gradient Clipping for Source
 * Separation Networks", https://arxiv.org/abs/2007.14469 (their code appends the norm, takes
 * `np.percentile` (linear interpolation) and calls PyTorch `clip_grad_norm_`; so does this).
 * Differences: the history is a ring buffer of the last `historySize` norms kept **on device**
 * (the step count is a host integer, so nothing is read back per step); a non-finite norm is
 * recorded as +Infinity, so it can only raise high percentiles.
 *
 * ```ts
 * const auto = new AutoClip({percentile: 10});
 * const clipped = auto.transform(grads);   // or: const {grads, norm, clipValue} = auto.clip(grads)
 * auto.dispose();
 * ```
 */
export class AutoClip {
  readonly percentile: number;
  readonly historySize: number;
  readonly eps: number;
  readonly normType: NormType;
  /** The transform form, `(grads) => grads` (for `chain` / `withClipping`). */
  readonly transform: GradTransform;
  private history: tf.Variable | null;
  private countVar: tf.Variable | null;
  private seen = 0;

  /**
   * @param options `percentile` (10), `historySize` (1000), `eps` (1e-6), `normType` (2)
   */
  constructor(options?: AutoClipOptions) {
    const fn = 'AutoClip';
    const opts = checkOptions<AutoClipOptions>(fn, options);
    const p = opts.percentile ?? 10;
    if (typeof p !== 'number' || !(p > 0 && p <= 100)) {
      throw new Error(`${fn}: percentile must be a number in (0, 100], got ${show(p)}`);
    }
    const n = opts.historySize ?? 1000;
    // the ring buffer lives on device: bound it so a typo (1e12) is an error, not an allocation failure
    if (!Number.isInteger(n) || n < 1 || n > MAX_HISTORY) {
      throw new Error(`${fn}: historySize must be an integer in [1, ${MAX_HISTORY}], got ${show(n)}`);
    }
    this.percentile = p;
    this.historySize = n;
    this.eps = checkPositive(fn, 'eps', opts.eps ?? 1e-6, true);
    this.normType = checkNormType(fn, opts.normType ?? 2);
    // tf.variable keeps its own reference to the initial value: free the initial tensors
    const h0 = tf.zeros([n]);
    const c0 = tf.scalar(0, 'int32');
    this.history = tf.variable(h0, false);
    this.countVar = tf.variable(c0, false);
    tf.dispose([h0, c0]);
    const self = this;
    const transform = (grads: tf.NamedTensorMap): tf.NamedTensorMap => {
      const r = self.clip(grads);
      tf.dispose([r.norm, r.clipValue]);
      return r.grads;
    };
    transform.getWeights = () => self.weights();
    transform.setWeights = (w: NamedTensor[]) => self.loadWeights(w);
    transform.dispose = () => self.dispose();
    this.transform = transform;
  }

  /** How many norms have been recorded (host counter). */
  get count(): number {
    return this.seen;
  }

  /**
   * Records the global norm of `grads` and clips them at the percentile of the history.
   * @param grads gradients by variable name
   */
  clip(grads: tf.NamedTensorMap): AutoClipResult {
    checkTensorMap('AutoClip.clip', 'grads', grads);
    const history = this.live('clip');
    const n = this.historySize;
    const pos = this.seen % n;
    const k = Math.min(this.seen + 1, n);
    // numpy 'linear' percentile on the k valid entries, indices known on the host
    const rank = (this.percentile / 100) * (k - 1);
    const lo = Math.floor(rank);
    const hi = Math.min(lo + 1, k - 1);
    const frac = rank - lo;
    const result = tf.tidy(() => {
      const norm = globalNormUnchecked(grads, this.normType);
      const recorded = tf.where(tf.isFinite(norm), norm, tf.scalar(Infinity));
      // Only same-shape where/topk/max here: a broadcasting tf.where tiles (cpu's Tile reads its
      // input back) and wasm's Slice and Gather read their inputs back; these do not.
      const idx = tf.range(0, n, 1, 'int32');
      const next = tf.where(tf.equal(idx, pos), tf.mul(tf.ones([n]), recorded), history);
      history.assign(next);
      const valid = k === n ? next : tf.where(tf.less(idx, k), next, tf.fill([n], -Infinity));
      const desc = tf.topk(valid, k).values; // ascending index i is descending index k-1-i
      const kIdx = tf.range(0, k, 1, 'int32');
      const at = (i: number) => tf.max(tf.where(tf.equal(kIdx, k - 1 - i), desc, tf.fill([k], -Infinity)));
      const aLo = at(lo);
      let clipValue = aLo;
      if (frac > 0) {
        const aHi = at(hi);
        // equal ends (both +Infinity included) give that value, not inf - inf = NaN
        clipValue = tf.where(tf.equal(aHi, aLo), aLo, tf.add(aLo, tf.mul(tf.sub(aHi, aLo), frac)));
      }
      const clipped = scaleAll(grads, norm, clipValue as tf.Scalar, this.eps);
      return {grads: clipped, norm, clipValue: clipValue as tf.Scalar};
    });
    this.seen += 1;
    tf.tidy(() => this.countVar!.assign(tf.scalar(this.seen, 'int32')));
    return result;
  }

  /** A checkpoint: a copy of the whole ring buffer and the count (dispose `history` when done). */
  getState(): {history: tf.Tensor1D; count: number} {
    return {history: tf.clone(this.live('getState')) as tf.Tensor1D, count: this.seen};
  }

  /**
   * Restores a checkpoint from `getState` (the history must have `historySize` entries).
   * @param state `{history, count}`; `history` as a tensor or numbers, `count` an integer >= 0
   */
  setState(state: AutoClipState): void {
    const fn = 'AutoClip.setState';
    const history = this.live('setState');
    const s = checkOptions<AutoClipState>(fn, state);
    if (!Number.isInteger(s.count) || s.count < 0) throw new Error(`${fn}: count must be an integer >= 0, got ${show(s.count)}`);
    const len = s.history instanceof tf.Tensor ? s.history.size : Array.isArray(s.history) ? s.history.length : -1;
    if (len !== this.historySize) {
      throw new Error(`${fn}: history must have historySize (${this.historySize}) entries, got ${show(s.history)}`);
    }
    tf.tidy(() => {
      const src = s.history instanceof tf.Tensor ? s.history : tf.tensor1d(s.history as number[]);
      history.assign(tf.reshape(tf.cast(src, 'float32'), [this.historySize]));
    });
    this.seen = s.count;
    tf.tidy(() => this.countVar!.assign(tf.scalar(this.seen, 'int32')));
  }

  /** Frees the history. The instance cannot be used afterwards. */
  dispose(): void {
    if (this.history) this.history.dispose();
    if (this.countVar) this.countVar.dispose();
    this.history = null;
    this.countVar = null;
  }

  private live(what: string): tf.Variable {
    if (!this.history) throw new Error(`AutoClip.${what}: this AutoClip has been disposed`);
    return this.history;
  }

  /** State as named tensors (its own variables, not copies) for optimizer checkpoints. */
  private weights(): NamedTensor[] {
    return [
      {name: 'autoclip/history', tensor: this.live('getWeights')},
      {name: 'autoclip/count', tensor: this.countVar!},
    ];
  }

  private async loadWeights(weights: NamedTensor[]): Promise<void> {
    const h = weights.find((w) => w.name === 'autoclip/history');
    const c = weights.find((w) => w.name === 'autoclip/count');
    if (!h || !c) throw new Error(`AutoClip.setWeights: weights must hold autoclip/history and autoclip/count, got ${show(weights.map((w) => w.name))}`);
    const count = (await c.tensor.data())[0];
    this.setState({history: h.tensor as tf.Tensor1D, count});
  }
}
