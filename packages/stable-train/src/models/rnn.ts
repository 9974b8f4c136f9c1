import * as tf from '@tensorflow/tfjs-core';
import {newVariable, seededInit, type InitSpec, type Model} from './layers';

/** Options of `rnn`. */
export interface RnnOptions {
  /** Features per time step (2 for the adding problem). */
  inputs: number;
  units: number;
  outputs: number;
  /** Input kernel init. Default `'glorot_uniform'`. */
  kernelInit?: InitSpec;
  /** Recurrent kernel init. Default `'orthogonal'`; `{name: 'normal', std: 1}` explodes. */
  recurrentInit?: InitSpec;
  seed?: number;
  name?: string;
}

/**
 * A vanilla (Elman) tanh RNN, `h_t = tanh(x_t·W + h_{t−1}·U + b)`, with a linear head on the last
 * state — the network of Pascanu, Mikolov & Bengio 2013 (https://arxiv.org/abs/1211.5063) whose
 * gradients explode or vanish over long sequences (the adding problem). Inputs `[N, T, inputs]`.
 *
 * ```ts
 * const model = rnn({inputs: 2, units: 32, outputs: 1});
 * ```
 * @param o see `RnnOptions`
 */
export function rnn(o: RnnOptions): Model {
  for (const k of ['inputs', 'units', 'outputs'] as const) {
    if (!(Number.isInteger(o?.[k]) && o[k] > 0)) throw new Error(`rnn: ${k} must be an integer > 0, got ${o?.[k]}`);
  }
  const name = o.name ?? 'rnn';
  const seed = o.seed ?? 0;
  const w = newVariable(() => seededInit(o.kernelInit ?? 'glorot_uniform', seed, 0)([o.inputs, o.units]), `${name}/kernel`);
  const u = newVariable(() => seededInit(o.recurrentInit ?? 'orthogonal', seed, 1)([o.units, o.units]), `${name}/recurrent_kernel`);
  const b = newVariable(() => tf.zeros([o.units]), `${name}/bias`);
  const hw = newVariable(() => seededInit('glorot_uniform', seed, 2)([o.units, o.outputs]), `${name}/head/kernel`);
  const hb = newVariable(() => tf.zeros([o.outputs]), `${name}/head/bias`);
  const vars = [w, u, b, hw, hb];
  return {
    name,
    inputShape: [-1, o.inputs],
    variables: vars,
    apply: (x) =>
      tf.tidy(() => {
        if (x.rank !== 3) throw new Error(`rnn: input must be [N, T, ${o.inputs}], got [${x.shape}]`);
        const steps = tf.unstack(x, 1);
        let h: tf.Tensor = tf.zeros([x.shape[0], o.units]);
        for (const xt of steps) h = tf.tanh(tf.add(tf.add(tf.matMul(xt, w), tf.matMul(h, u)), b));
        return tf.add(tf.matMul(h, hw), hb);
      }),
    dispose: () => tf.dispose(vars),
  };
}
