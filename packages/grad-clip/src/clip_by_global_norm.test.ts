import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak, goldenData} from '@stable-train/testing';
import {gradLists, toMap, tolFor} from '../test/golden';
import {clipByGlobalNorm} from './clip_by_global_norm';
import {globalNorm} from './global_norm';

describeBackends(['cpu', 'wasm'], () => {
  for (const list of gradLists()) {
    for (const c of list.clip_grad_norm) {
      it(`${list.name}: clip_grad_norm_(max_norm=${c.max_norm}, norm_type=${c.norm_type}) matches PyTorch`, () => {
        const grads = toMap(list, 'grad');
        const normType = c.norm_type === 'inf' ? 'inf' : c.norm_type;
        const {grads: clipped, norm} = clipByGlobalNorm(grads, c.max_norm, {normType});
        // the returned norm is the one before clipping
        expectClose(norm, c.total_norm, {rtol: 1e-5, atol: 0});
        list.tensors.forEach((t, i) => {
          expect(clipped[t.name].shape).toEqual(t.grad.shape);
          expectClose(clipped[t.name], goldenData(c.clipped_grads[i]), tolFor(list));
        });
        const after = globalNorm(clipped, normType);
        expectClose(after, c.total_norm_after, {rtol: 1e-5, atol: 0});
        tf.dispose([grads, clipped, norm, after]);
      });
    }
  }

  it('uses a given norm as is: same result, returns that tensor, does not dispose it; rejects a bad one', () => {
    const grads = {w: tf.tensor2d([[3, 0], [0, 4]]), b: tf.tensor1d([0, 0])}; // ‖g‖ = 5
    const given = globalNorm(grads);
    const a = clipByGlobalNorm(grads, 1);
    const b = clipByGlobalNorm(grads, 1, {norm: given});
    expect(b.norm).toBe(given);
    expectClose(b.grads.w, a.grads.w.dataSync(), {rtol: 0, atol: 0});
    expectClose(b.grads.w, [0.6, 0, 0, 0.8], {rtol: 1e-6}); // 1/(5 + 1e-6) by hand
    expect(given.isDisposed).toBe(false);
    expect(() => clipByGlobalNorm(grads, 1, {norm: tf.ones([2]) as never})).toThrow(/norm must be a live scalar/);
    const dead = tf.scalar(5);
    dead.dispose();
    expect(() => clipByGlobalNorm(grads, 1, {norm: dead})).toThrow(/norm must be a live scalar/);
    tf.dispose([grads, given, a.grads, a.norm, b.grads]);
  });

  it('keeps all-zero gradients at zero (no 0/0)', () => {
    const grads = {w: tf.zeros([3, 2]), b: tf.zeros([2])};
    const {grads: out, norm} = clipByGlobalNorm(grads, 1);
    expectClose(out.w, new Array(6).fill(0), {atol: 0});
    expectClose(out.b, [0, 0], {atol: 0});
    expectClose(norm, 0, {atol: 0});
    tf.dispose([grads, out, norm]);
  });

  it('returns new tensors and leaves the inputs alone', () => {
    const grads = {w: tf.tensor1d([3, 4])};
    const {grads: out, norm} = clipByGlobalNorm(grads, 1);
    expect(out.w).not.toBe(grads.w);
    expectClose(grads.w, [3, 4]);
    // ‖[3,4]‖ = 5 → coef 1/(5+1e-6)
    expectClose(out.w, [3 / (5 + 1e-6), 4 / (5 + 1e-6)]);
    tf.dispose([grads, out, norm]);
  });

  it('reads nothing back from the backend (no host sync)', () => {
    const grads = {w: tf.randomNormal([8, 4], 0, 10, 'float32', 1), b: tf.randomNormal([4], 0, 10, 'float32', 2)};
    const backend = tf.backend();
    const readSync = jest.spyOn(backend, 'readSync');
    const read = jest.spyOn(backend, 'read');
    try {
      for (const normType of [1, 2, 'inf'] as const) {
        const {grads: out, norm} = clipByGlobalNorm(grads, 0.5, {normType});
        tf.dispose([out, norm]);
      }
      expect(readSync).not.toHaveBeenCalled();
      expect(read).not.toHaveBeenCalled();
      // the spy does see a read when there is one (the test can fail)
      const {grads: out, norm} = clipByGlobalNorm(grads, 0.5, {errorIfNonfinite: true});
      expect(readSync.mock.calls.length + read.mock.calls.length).toBeGreaterThan(0);
      tf.dispose([out, norm]);
    } finally {
      readSync.mockRestore();
      read.mockRestore();
      tf.dispose(grads);
    }
  });

  it('errorIfNonfinite throws on NaN/Infinity and otherwise passes', () => {
    const bad = {w: tf.tensor1d([1, NaN]), v: tf.tensor1d([Infinity])};
    const before = tf.memory().numTensors;
    expect(() => clipByGlobalNorm({w: bad.w}, 1, {errorIfNonfinite: true})).toThrow(
      /clipByGlobalNorm: the total norm of order 2 of the gradients is non-finite \(NaN\)/,
    );
    expect(() => clipByGlobalNorm({v: bad.v}, 1, {errorIfNonfinite: true, normType: 'inf'})).toThrow(/non-finite \(Infinity\)/);
    expect(tf.memory().numTensors).toBe(before);
    // without the flag a NaN norm propagates, as in PyTorch
    const {grads: out, norm} = clipByGlobalNorm({w: bad.w}, 1);
    expect(Number.isNaN(norm.dataSync()[0])).toBe(true);
    tf.dispose([bad, out, norm]);
  });

  it('does not leak', async () => {
    const grads = {w: tf.ones([4, 3]), b: tf.ones([3])};
    await expectNoLeak(() => clipByGlobalNorm(grads, 0.1));
    await expectNoLeak(() => clipByGlobalNorm(grads, 100, {normType: 1}));
    await expectNoLeak(() => clipByGlobalNorm({}, 1));
    tf.dispose(grads);
  });
});

describe('clipByGlobalNorm errors', () => {
  const grads = {w: tf.ones([2])};
  afterAll(() => tf.dispose(grads));
  it.each([
    [-1, 'clipByGlobalNorm: maxNorm must be a finite number > 0, got -1'],
    [NaN, 'clipByGlobalNorm: maxNorm must be a finite number > 0, got NaN'],
    [0, 'clipByGlobalNorm: maxNorm must be a finite number > 0, got 0'],
    [Infinity, 'clipByGlobalNorm: maxNorm must be a finite number > 0, got Infinity'],
    ['1', 'clipByGlobalNorm: maxNorm must be a finite number > 0, got "1"'],
  ])('rejects maxNorm %p before making any tensor', (maxNorm, message) => {
    const before = tf.memory().numTensors;
    expect(() => clipByGlobalNorm(grads, maxNorm as number)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });
  it('rejects bad options', () => {
    expect(() => clipByGlobalNorm(grads, 1, {normType: 0.5})).toThrow("clipByGlobalNorm: normType must be a finite number >= 1 or 'inf', got 0.5");
    expect(() => clipByGlobalNorm(grads, 1, {eps: -1})).toThrow('clipByGlobalNorm: eps must be a finite number >= 0, got -1');
    expect(() => clipByGlobalNorm(grads, 1, {errorIfNonfinite: 'yes' as never})).toThrow(
      'clipByGlobalNorm: errorIfNonfinite must be a boolean, got "yes"',
    );
    expect(() => clipByGlobalNorm({w: 1} as never, 1)).toThrow("clipByGlobalNorm: grads['w'] must be a Tensor, got 1");
  });
});

describe('clipByGlobalNorm on bad input (issue 20 item 13)', () => {
  it('int32 gradients are an error, not zeros', () => {
    const g = {a: tf.tensor1d([3, 4], 'int32')};
    expect(() => clipByGlobalNorm(g, 1)).toThrow(/clipByGlobalNorm: grads\['a'\] must be float32, got dtype int32/);
    g.a.dispose();
  });
});
