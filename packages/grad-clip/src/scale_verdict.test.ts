import * as tf from '@tensorflow/tfjs-core';
import {describeBackends, expectNoLeak} from '@stable-train/testing';
import {safeNorm, scaleVerdict, upperMedian} from './scale_verdict';

const layer = (name: string, g: number) => ({name, gradNormInit: g, gradNormMedian: g, weightNorm: 1});

describe('scaleVerdict', () => {
  it('calls constant gradient norms healthy and 2× growth per layer exploding', () => {
    const ok = scaleVerdict({layers: [layer('a', 1), layer('b', 1)], globals: [1, 2], activationNorms: [], loss: 2.3, chanceLoss: Math.log(10)});
    expect(ok.status).toBe('healthy');
    expect(ok.growthPerLayer).toBe(1);
    // input-side gradient 4, then 2, then 1: each layer towards the input doubles it
    const bad = scaleVerdict({layers: [layer('a', 4), layer('b', 2), layer('c', 1)], globals: [7], activationNorms: [], loss: 2.3, chanceLoss: NaN});
    expect(bad.status).toBe('exploding');
    expect(bad.growthPerLayer).toBeCloseTo(2, 12);
    expect(bad.verdict).toMatch(/^gradient norm grows 2.00× per layer/);
  });
  it('flags non-finite losses and forward explosions', () => {
    expect(scaleVerdict({layers: [layer('a', 1)], globals: [NaN], activationNorms: [], loss: NaN, chanceLoss: NaN}).status).toBe('non-finite');
    // activations 1 → 16 over 2 kernels: 4× per layer
    const f = scaleVerdict({layers: [layer('a', 1), layer('b', 1)], globals: [1], activationNorms: [1, 4, 16], loss: 1, chanceLoss: NaN});
    expect(f.forwardGrowthPerLayer).toBeCloseTo(4, 12);
    expect(f.status).toBe('exploding');
  });
  it('upperMedian takes the element at n/2', () => {
    expect(upperMedian([3, 1, 2, 4])).toBe(3);
    expect(upperMedian([])).toBeNaN();
  });
});

describeBackends(['cpu', 'wasm'], () => {
  it('safeNorm matches ‖t‖₂ and does not overflow for 1e30', async () => {
    await expectNoLeak(async () => {
      const t = tf.tensor1d([3, 4]);
      const big = tf.tensor1d([3e30, 4e30]);
      const [a, b] = [safeNorm(t), safeNorm(big)];
      expect((await a.data())[0]).toBeCloseTo(5, 5);
      expect((await b.data())[0] / 5e30).toBeCloseTo(1, 5);
      tf.dispose([t, big, a, b]);
    });
  });
});
