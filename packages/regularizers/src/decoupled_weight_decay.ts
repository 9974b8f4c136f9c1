import * as tf from '@tensorflow/tfjs-core';
import {excludeNormAndBias} from './exclude_norm_and_bias';
import {toNamedVariables} from './named_variables';
import type {VariableSet} from './named_variables';
import {compileMask, selectParams} from './select_params';
import type {ParamMask} from './select_params';
import {checkNonNegative, checkOptions} from './validate';

/** Options of {@link decoupledWeightDecay}. */
export interface DecoupledWeightDecayOptions {
  /** decay rate `wd` (PyTorch AdamW `weight_decay`), finite and >= 0 */
  rate: number;
  /** which variables decay; default {@link excludeNormAndBias}; `{}` decays all (PyTorch default) */
  mask?: ParamMask;
}

/** The object {@link decoupledWeightDecay} returns. */
export interface DecoupledWeightDecay {
  readonly rate: number;
  /**
   * Multiplies each selected trainable float32 variable by `1 − lr·rate` in place, on device.
   * Call it right BEFORE `optimizer.applyGradients(grads)` with that step's learning rate.
   * @returns the names of the variables it decayed (in the map's order)
   */
  apply(variables: VariableSet, lr: number): string[];
}

/**
 * Decoupled weight decay (AdamW for every optimizer): `p ← p − lr·rate·p = p·(1 − lr·rate)`,
 * applied to the variables directly instead of through the gradient, so adaptive optimizers do
 * not rescale it.
 *
 * Order: apply it BEFORE the optimizer step, with the same `lr`. That is exactly what PyTorch
 * `torch.optim.AdamW` does (`p.mul_(1 − lr·wd)` first, then the Adam update with the raw
 * gradient, which was computed at the undecayed weights), so decay + `tf.train.adam` reproduces
 * AdamW step for step. Applying it after the step instead multiplies the Adam update by
 * `(1 − lr·wd)` too: a difference of order `lr²·wd` per step.
 *
 * Variables with `trainable === false` (moving statistics) and non-float32 variables are never
 * decayed. Reference: Loshchilov & Hutter 2019, https://arxiv.org/abs/1711.05101; PyTorch
 * `AdamW(weight_decay)`, Keras `AdamW(weight_decay)`, Optax `adamw` / `add_decayed_weights` +
 * `mask`, timm `param_groups_weight_decay`.
 *
 * ```ts
 * const decay = decoupledWeightDecay({rate: 0.01}); // skips biases and norm parameters
 * const opt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
 * const {grads} = tf.variableGrads(loss);
 * decay.apply(variablesByName, lr);
 * opt.applyGradients(grads);
 * ```
 * @param opts `rate` and `mask`
 */
export function decoupledWeightDecay(opts: DecoupledWeightDecayOptions): DecoupledWeightDecay {
  const fn = 'decoupledWeightDecay';
  if (opts === undefined) throw new Error(`${fn}: opts must be an object with a rate, got undefined`);
  checkOptions(fn, 'opts', opts, ['rate', 'mask']);
  const rate = checkNonNegative(fn, 'rate', opts.rate);
  // structure checked now; whether each glob matches a name is checked at apply time
  const mask = compileMask(fn, opts.mask ?? excludeNormAndBias);
  return {
    rate,
    apply(variables: VariableSet, lr: number): string[] {
      const vars = toNamedVariables(`${fn}.apply`, 'variables', variables);
      checkNonNegative(`${fn}.apply`, 'lr', lr);
      const names = selectParams(vars, mask, `${fn}.apply`).filter(
        (n) => vars[n].trainable !== false && vars[n].dtype === 'float32',
      );
      const factor = 1 - lr * rate; // host arithmetic in float64, like PyTorch's p.mul_(1 - lr*wd)
      // lr·rate > 1 gives a factor < 0, which flips the sign of every weight; PyTorch's AdamW does
      // the same (p.mul_(1 - lr*wd)), so it is kept: an lr spike is the guard's business, not an error
      if (factor !== 1) {
        tf.tidy(() => {
          for (const n of names) vars[n].assign(tf.mul(vars[n], factor));
        });
      }
      return names;
    },
  };
}
