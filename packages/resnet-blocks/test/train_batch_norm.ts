// Test-only stand-in for @stable-train/batchnorm (being written in parallel): a training-mode
// batch norm, y = (x - mean) / sqrt(var_biased + eps) * gamma + beta, statistics per channel
// (last axis) over every other axis, as PyTorch nn.BatchNorm1d/2d in train() (goldens README §5, §7).
import * as tf from '@tensorflow/tfjs-core';
import type {Module} from '../src';

export function trainBatchNorm(eps = 1e-5) {
  return (channels: number, name: string): Module => {
    const gamma = tf.variable(tf.ones([channels]), true, `${name}/gamma`);
    const beta = tf.variable(tf.zeros([channels]), true, `${name}/beta`);
    return {
      variables: [gamma, beta],
      apply: (x) =>
        tf.tidy(() => {
          const axes = x.shape.slice(0, -1).map((_, i) => i);
          // not tf.moments: it calls tf.cast, whose gradient fails under this jest setup
          // ("Cannot read properties of null (reading 'clone')"; fine in an esbuild bundle)
          const mean = tf.mean(x, axes);
          const variance = tf.mean(tf.square(tf.sub(x, mean)), axes);
          return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
        }),
      dispose: () => tf.dispose([gamma, beta]),
    };
  };
}
