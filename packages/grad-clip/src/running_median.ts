import {show} from './validate';
/**
 * The median of the last `window` values pushed, kept on the host (a few numbers per step).
 * The explosion guards (umbrella `ExplosionGuard`, layers `explosionGuard`) compare each new loss
 * and gradient norm with it to spot spikes ({@link RunningMedian.isSpike}).
 *
 * ```ts
 * const m = new RunningMedian(50); m.push(1); m.push(3); m.median(); // 2
 * ```
 */
export class RunningMedian {
  private values: number[] = [];

  /** @param window how many recent values count, an integer >= 1 */
  constructor(readonly window: number) {
    if (!(typeof window === 'number' && Number.isInteger(window) && window >= 1)) {
      throw new Error(`RunningMedian: window must be an integer >= 1, got ${show(window)}`);
    }
  }

  /** Adds a value (non-finite values are ignored), dropping the oldest beyond the window. */
  push(v: number): void {
    if (!Number.isFinite(v)) return;
    this.values.push(v);
    if (this.values.length > this.window) this.values.shift();
  }

  /** Number of values held. */
  get count(): number {
    return this.values.length;
  }

  /** The median of the held values, NaN when empty. */
  median(): number {
    const n = this.values.length;
    if (n === 0) return NaN;
    const s = [...this.values].sort((a, b) => a - b);
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * Whether `v` is a spike: v > factor · |median| once at least max(1, warmup) values are held
   * (the explosion guards' rule; a non-finite `v` is judged elsewhere and gives false here).
   * @param v the new value (not pushed)
   * @param factor how many times the running median counts as a spike, > 0
   * @param warmup values needed before any spike is reported (default 1)
   */
  isSpike(v: number, factor: number, warmup = 1): boolean {
    if (!(typeof factor === 'number' && Number.isFinite(factor) && factor > 0)) throw new Error(`RunningMedian.isSpike: factor must be a finite number > 0, got ${show(factor)}`);
    if (!(typeof warmup === 'number' && Number.isInteger(warmup) && warmup >= 0)) throw new Error(`RunningMedian.isSpike: warmup must be an integer >= 0, got ${show(warmup)}`);
    return Number.isFinite(v) && this.values.length >= Math.max(1, warmup) && v > factor * Math.abs(this.median());
  }

  /** The held values, oldest first (checkpoints). */
  getState(): number[] {
    return [...this.values];
  }

  setState(values: number[]): void {
    // push() keeps finite values only: a NaN in a restored state would make every median NaN
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new Error(`RunningMedian.setState: values must be an array of finite numbers, got ${show(values)}`);
    }
    this.values = values.slice(-this.window);
  }
}
