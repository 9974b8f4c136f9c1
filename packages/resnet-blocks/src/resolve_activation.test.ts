import * as tf from '@tensorflow/tfjs-core';
import {describeBackends} from '@stable-train/testing';
import {resolveActivation} from './resolve_activation';

describeBackends(['cpu', 'wasm'], () => {
  it('resolves activations by name (relu\'(0) = 0 as in PyTorch)', () => {
    const x = tf.tensor1d([-2, 0, 1]);
    const relu = resolveActivation('relu', 't');
    const dx = tf.grad((v: tf.Tensor) => tf.sum(relu(v)))(x);
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 1]);
    const sw = resolveActivation('swish', 't')(x); // x * sigmoid(x)
    expect(sw.dataSync()[2]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    tf.dispose([x, dx, sw]);
  });
});

describe('resolveActivation validation', () => {
  it('names the caller, the argument and the value', () => {
    expect(() => resolveActivation('gelu' as never, 'residualDense(b0)')).toThrow(/^residualDense\(b0\): activation must be one of relu, relu6.*got "gelu"$/);
  });
});
