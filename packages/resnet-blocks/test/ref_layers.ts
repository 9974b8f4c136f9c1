// Test-only: reads a block's weights (by variable name) into the float64 conv reference.
import * as tf from '@tensorflow/tfjs-core';
import type {ResidualBlock} from '../src';
import type {RefLayer, RefTensor} from './conv_reference';

export const ref = (t: tf.Tensor): RefTensor => ({shape: t.shape, data: Array.from(t.dataSync())});
const byName = (b: ResidualBlock) => new Map(b.variables.map((v) => [v.name, v]));

/** Reads a block's weights into the float64 reference's layer list. */
export function refLayers(b: ResidualBlock, labels: string[], strides: number[]): {layers: RefLayer[]; shortcut: RefLayer | null} {
  const v = byName(b);
  const layers = labels.map((l, i) => ({
    kernel: ref(v.get(`${b.name}/${l}/kernel`)!),
    bias: v.has(`${b.name}/${l}/bias`) ? ref(v.get(`${b.name}/${l}/bias`)!).data : null,
    stride: strides[i],
  }));
  const sc = v.get(`${b.name}/shortcut/kernel`);
  const shortcut = sc ? {kernel: ref(sc), bias: null, stride: Math.max(...strides)} : null;
  return {layers, shortcut};
}

