import * as tf from '@tensorflow/tfjs-core';
import {Initializer, makeInitializer} from './initializer';
import {checkNumber, F32_MAX, show} from './validate';

/**
 * Fills the tensor with one value: w = value. Biases, and the last layer of a Fixup branch.
 *
 * Same as PyTorch `torch.nn.init.constant_`, Keras / TF.js `Constant`.
 *
 * ```ts
 * const b = constant(0.1)([64]);
 * ```
 * @param value the fill value, a finite number
 * @returns an initializer (accepts dtype `'float32'` or `'int32'`)
 */
export function constant(value: number): Initializer {
  const v = checkNumber('constant', 'value', value);
  // float32 would turn a larger value into Infinity without a word
  if (Math.abs(v) > F32_MAX) throw new Error(`constant: value must be within float32 range (|value| <= ${F32_MAX}), got ${show(v)}`);
  return makeInitializer(
    'constant',
    'constant',
    (shape, o) => {
      // an int32 fill truncates 0.5 to 0 and wraps 2^31: say so instead
      if (o.dtype === 'int32' && !(Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1)) {
        throw new Error(`constant: value must be an integer in int32 range for dtype 'int32', got ${show(v)}`);
      }
      return tf.fill(shape, v, o.dtype);
    },
    () => ({distribution: 'constant', mean: v, std: 0, low: v, high: v}),
    {floatOnly: false},
  );
}

/** All zeros (PyTorch `zeros_`, Keras `Zeros`). `zeros([3, 4])`. */
export const zeros: Initializer = makeInitializer(
  'zeros',
  'zeros',
  (shape, o) => tf.zeros(shape, o.dtype),
  () => ({distribution: 'constant', mean: 0, std: 0, low: 0, high: 0}),
  {floatOnly: false},
);

/** All ones (PyTorch `ones_`, Keras `Ones`). `ones([64])`. */
export const ones: Initializer = makeInitializer(
  'ones',
  'ones',
  (shape, o) => tf.ones(shape, o.dtype),
  () => ({distribution: 'constant', mean: 1, std: 0, low: 1, high: 1}),
  {floatOnly: false},
);
