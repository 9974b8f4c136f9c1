import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {AutoClip} from './auto_clip';

/** numpy.percentile (method 'linear'), the reference AutoClip's code uses. */
function npPercentile(values: number[], p: number): number {
  const a = [...values].sort((x, y) => x - y);
  const r = (p / 100) * (a.length - 1);
  const lo = Math.floor(r);
  const hi = Math.min(lo + 1, a.length - 1);
  return a[lo] + (a[hi] - a[lo]) * (r - lo);
}

describeBackends(['cpu', 'wasm'], () => {
  it('clips at the percentile of the history, as the reference implementation (host re-implementation)', () => {
    const auto = new AutoClip({percentile: 25, historySize: 4});
    const scales = [1, 5, 2, 0.5, 10, 3, 0.1];
    const hist: number[] = [];
    for (const s of scales) {
      // g = s*[3, 4] → ‖g‖ = 5s
      const grads = {w: tf.mul(tf.tensor1d([3, 4]), s)};
      const {grads: out, norm, clipValue} = auto.clip(grads);
      hist.push(5 * s);
      const window = hist.slice(-4); // ring buffer of 4
      const c = npPercentile(window, 25);
      expectClose(norm, 5 * s);
      expectClose(clipValue, c);
      const coef = Math.min(1, c / (5 * s + 1e-6));
      expectClose(out.w, [3 * s * coef, 4 * s * coef]);
      tf.dispose([grads, out, norm, clipValue]);
    }
    expect(auto.count).toBe(scales.length);
    auto.dispose();
  });

  it('reads nothing back per step and does not leak over many steps', async () => {
    const auto = new AutoClip({historySize: 8});
    const grads = {w: tf.randomNormal([5, 3], 0, 1, 'float32', 3)};
    const backend = tf.backend();
    const readSync = jest.spyOn(backend, 'readSync');
    const read = jest.spyOn(backend, 'read');
    try {
      await expectNoLeak(() => {
        for (let i = 0; i < 20; i++) tf.dispose(auto.transform(grads));
      });
      expect(readSync).not.toHaveBeenCalled();
      expect(read).not.toHaveBeenCalled();
    } finally {
      readSync.mockRestore();
      read.mockRestore();
    }
    tf.dispose(grads);
    const before = tf.memory().numTensors;
    auto.dispose();
    expect(tf.memory().numTensors).toBe(before - 2); // its history and count variables
  });

  it('getState/setState round-trips and continues identically', () => {
    const a = new AutoClip({historySize: 5});
    const b = new AutoClip({historySize: 5});
    const mk = (s: number) => ({w: tf.mul(tf.ones([4]), s)});
    for (const s of [1, 2, 3]) tf.dispose(a.transform(mk(s)));
    const state = a.getState();
    b.setState(state);
    expect(b.count).toBe(3);
    const g = mk(7);
    const ra = a.clip(g);
    const rb = b.clip(g);
    expectClose(rb.clipValue, ra.clipValue.dataSync());
    expectClose(rb.grads.w, ra.grads.w.dataSync());
    // also from plain numbers
    b.setState({history: [1, 2, 3, 0, 0], count: 3});
    tf.dispose([state.history, g, ra.grads, ra.norm, ra.clipValue, rb.grads, rb.norm, rb.clipValue]);
    a.dispose();
    b.dispose();
  });

  it('records a non-finite norm as +Infinity (low percentiles stay finite)', () => {
    const auto = new AutoClip({percentile: 10, historySize: 10});
    for (const s of [1, 2, 3]) tf.dispose(auto.transform({w: tf.mul(tf.ones([1]), s)}));
    const bad = auto.clip({w: tf.tensor1d([NaN])});
    tf.dispose([bad.grads, bad.norm, bad.clipValue]);
    const {grads, clipValue, norm} = auto.clip({w: tf.tensor1d([4])});
    // history {1,2,3,inf,4}: 10th percentile = 1 + 0.4*(2-1) = 1.4
    expectClose(clipValue, 1.4);
    tf.dispose([grads, clipValue, norm]);
    auto.dispose();
  });
});

describe('AutoClip errors', () => {
  it('validates options, state and use after dispose', () => {
    expect(() => new AutoClip({percentile: 0})).toThrow('AutoClip: percentile must be a number in (0, 100], got 0');
    expect(() => new AutoClip({percentile: 101})).toThrow('AutoClip: percentile must be a number in (0, 100], got 101');
    expect(() => new AutoClip({historySize: 1.5})).toThrow('AutoClip: historySize must be an integer in [1, 1000000], got 1.5');
    const a = new AutoClip({historySize: 3});
    expect(() => a.setState({history: [1, 2], count: 1})).toThrow('AutoClip.setState: history must have historySize (3) entries, got [1, 2]');
    expect(() => a.setState({history: [1, 2, 3], count: -1})).toThrow('AutoClip.setState: count must be an integer >= 0, got -1');
    a.dispose();
    expect(() => a.clip({})).toThrow('AutoClip.clip: this AutoClip has been disposed');
  });
});
