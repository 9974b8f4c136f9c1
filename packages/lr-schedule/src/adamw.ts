import {type AdamOptions, TorchAdam} from './adam';
import {registerOnce} from './register_once';

/** PyTorch 1.13 `torch.optim.AdamW` as a `tf.Optimizer`; build it with {@link adamw}. */
export class TorchAdamW extends TorchAdam {
  static override get className(): string {
    return 'StableTrainAdamW';
  }
  constructor(opts: AdamOptions) {
    super(opts, 'adamw', true);
  }
}

/**
 * AdamW, decoupled weight decay with PyTorch 1.13's exact rule: p ← p·(1 − lr·wd) first, then
 * the Adam update with the raw gradient (see {@link adam}). Default weightDecay 0.01. `beta1` may be
 * a schedule (PyTorch `OneCycleLR`/`CyclicLR` cycling `betas[0]`), with Adam's bias correction
 * 1 − β1_t^t from the current β1_t.
 *
 * PyTorch `torch.optim.AdamW`; Keras `AdamW`; Optax `adamw` (Optax multiplies wd by the
 * lr as well). Reference: Loshchilov & Hutter 2019, https://arxiv.org/abs/1711.05101
 *
 * ```ts
 * const opt = adamw({lr: warmupCosine({peak: 3e-4, warmupSteps: 500, decaySteps: 10000}), weightDecay: 0.05});
 * ```
 * @param opts the {@link adam} options; weightDecay defaults to 0.01
 */
export function adamw(opts: AdamOptions): TorchAdamW {
  registerOnce(TorchAdamW); // so tf.loadLayersModel finds it in this process
  return new TorchAdamW(opts);
}
