// The overrides fall back to tfjs-core's own gradients read from the registry (no deep imports):
// registering twice must keep the real stock gradient, not capture our own override.
import * as tf from '@tensorflow/tfjs-core';
import {expectClose, useBackend} from '@stable-train/testing';
import {coreRegistrationsPresent, ensureCoreRegistrations} from './core_registrations';
import {registerTrainingKernels, TRAINING_GRADIENTS} from './register_training_kernels';
import {stockGradient} from './stock_gradient';

describe('stock gradients', () => {
  useBackend('cpu');

  it('are captured from the registry once and survive a second registerTrainingKernels', () => {
    registerTrainingKernels();
    registerTrainingKernels();
    for (const name of [tf.BatchMatMul, tf.GatherV2, tf.Conv2D, tf.Conv2DBackpropInput]) {
      expect(TRAINING_GRADIENTS.includes(stockGradient(name))).toBe(false);
      expect(tf.getGradient(name)).toBe(TRAINING_GRADIENTS.find((g) => g.kernelName === name));
    }
    // dL/dA of sum(A·B) = 1·Bᵀ (row sums of B broadcast), through override → stock gradient
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[1, 0], [2, 1]]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.matMul(x, b)))(a);
    expectClose(g, [[1, 3], [1, 3]]);
    tf.dispose([a, b, g]);
  });

  it('name the missing registration instead of failing deep inside a gradient', () => {
    expect(() => stockGradient('NoSuchKernel')).toThrow("stable-train: tfjs-core's own NoSuchKernel gradient was not registered");
  });

  it('ensureCoreRegistrations is a no-op when tfjs-core gradients are registered', async () => {
    expect(coreRegistrationsPresent()).toBe(true);
    await expect(ensureCoreRegistrations()).resolves.toBe('already registered');
  });
});
