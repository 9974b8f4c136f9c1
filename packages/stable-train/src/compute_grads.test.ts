import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectClose, expectNoLeak} from '@stable-train/testing';
import {globalNorm} from '@stable-train/grad-clip';
import {allFiniteScalar, safeGlobalNorm} from './compute_grads';
import {ExplosionGuard} from './guard';
import {Trainer} from './trainer';
import type {Module} from './types';

describeBackends(['cpu', 'wasm'], () => {
  it('safeGlobalNorm measures finite gradients whose Σg² overflows float32', async () => {
    // 3-4-5 triangle scaled by 1e20: ‖g‖ = 5e20, while Σg² = 2.5e41 > float32 max (3.4e38).
    const ts = [tf.tensor1d([3e20]), tf.tensor2d([[4e20, 0]])];
    const plain = globalNorm({a: ts[0], b: ts[1]});
    const safe = safeGlobalNorm(ts);
    expect((await plain.data())[0]).toBe(Infinity);
    expectClose(safe, [5e20], {rtol: 1e-6});
    expectClose(allFiniteScalar(ts), [1]);
    tf.dispose([...ts, plain, safe]);
  });

  it('safeGlobalNorm equals sqrt(Σg²) on ordinary values and is 0 for zeros', async () => {
    const ts = [tf.tensor1d([1, -2]), tf.tensor1d([2])]; // sqrt(1 + 4 + 4) = 3
    expectClose(safeGlobalNorm(ts), [3], {rtol: 1e-6});
    expectClose(safeGlobalNorm([tf.zeros([3])]), [0]);
    await expectNoLeak(() => safeGlobalNorm(ts));
    tf.dispose(ts);
  });

  it('allFiniteScalar is 0 for NaN or ±Infinity anywhere', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const ts = [tf.tensor1d([1, 2]), tf.tensor1d([3, bad])];
      expectClose(allFiniteScalar(ts), [0]);
      tf.dispose(ts);
    }
  });

  it('the Trainer does not call finite but huge gradients non-finite', async () => {
    // y = x·w with w = 1e19 and a squared loss: the gradient is finite (≈1e20) but Σg² overflows.
    const w = tf.variable(tf.fill([2, 1], 1e19), true, `huge${Math.random()}`);
    const model: Module = {variables: [w], apply: (x) => tf.matMul(x, w), dispose: () => w.dispose()};
    const events: string[] = [];
    const trainer = new Trainer({
      model, optimizer: tf.train.sgd(0), loss: (y, p) => tf.mean(tf.square(tf.sub(p, y))) as tf.Scalar,
      guard: {policy: 'skip'}, logEvery: 0, onEvent: (e) => events.push(String(e.cause)),
    });
    const x = tf.ones([4, 2]);
    const y = tf.zeros([4, 1]);
    await trainer.step({x, y});
    expect(events).not.toContain('nonfinite-grad');
    expect(trainer.guardLog[0].gradNorm).toBeGreaterThan(1e19);
    expect(Number.isFinite(trainer.guardLog[0].gradNorm)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('ExplosionGuard with gradFinite', () => {
  it('keeps calling a NaN gradient non-finite and an overflowing norm of finite gradients a spike', () => {
    const g = new ExplosionGuard({policy: 'skip'});
    expect(g.judge(0, {loss: 1, gradNorm: NaN, inputFinite: true, gradFinite: false}).cause).toBe('nonfinite-grad');
    expect(g.judge(1, {loss: 1, gradNorm: Infinity, inputFinite: true, gradFinite: true}).cause).toBe('grad-spike');
    expect(g.judge(2, {loss: 1, gradNorm: Infinity, inputFinite: true}).cause).toBe('nonfinite-grad');
  });
});
