// Internal: batch normalisation on a tf.layers layer's weights, for batchNormalization,
// batchRenormalization and the residual blocks' norms. The numerics are @stable-train/batchnorm's
// (batchNormTrain / batchRenormTrain / batchNormInference / batchNormMovingUpdate); this file only
// reads the LayerVariables and writes the new moving statistics back.
import * as tf from '@tensorflow/tfjs-core';
import type {LayerVariable} from '@tensorflow/tfjs-layers';
import {batchNormInference, batchNormMovingUpdate, batchNormTrain, batchRenormTrain} from '@stable-train/batchnorm';

/** A batch norm's weights (gamma / beta null without scale / center). */
export interface BatchNormVariables {
  gamma: LayerVariable | null;
  beta: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/** A batch norm's settings; `momentum` is Keras's (the weight of the OLD moving value). */
export interface BatchNormSettings {
  epsilon: number;
  momentum: number;
  /** true: the moving variance takes the unbiased batch variance (PyTorch) */
  unbiased: boolean;
  /** batch renorm's clipping limits, or null for plain batch norm */
  renorm: {rMax: number; dMax: number} | null;
}

/**
 * Training: normalises with the batch statistics (renormalised when `s.renorm`) and writes the
 * moving statistics' next values once; inference: normalises with the moving statistics and
 * changes nothing. Call inside a tidy.
 */
export function batchNormCall(x: tf.Tensor, v: BatchNormVariables, training: boolean, s: BatchNormSettings): tf.Tensor {
  const gamma = v.gamma?.read() ?? null;
  const beta = v.beta?.read() ?? null;
  const mm = v.movingMean.read();
  const mv = v.movingVariance.read();
  if (!training) return batchNormInference(x, mm, mv, gamma, beta, s.epsilon);
  const {y, mean, variance} = s.renorm
    ? batchRenormTrain(x, gamma, beta, mm, mv, s.renorm.rMax, s.renorm.dMax, s.epsilon)
    : batchNormTrain(x, gamma, beta, s.epsilon);
  const n = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const next = batchNormMovingUpdate(mm, mv, mean, variance, n, 1 - s.momentum, s.unbiased);
  v.movingMean.write(next.movingMean);
  v.movingVariance.write(next.movingVariance);
  return y;
}

/** Whether tfjs asked for training mode (`model.fit` passes `{training: true}`, `predict` nothing). */
export function isTraining(kwargs: unknown): boolean {
  return (kwargs as {training?: unknown} | undefined)?.training === true;
}
