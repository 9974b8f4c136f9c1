// Maps an optimizers_v2.json entry (torch.optim kwargs or optax kwargs) to our optimizer.
import {adadelta, adafactor, adam, adamax, adamw, lamb, lars, lion, nadam, radam, type TorchOptimizer} from '../src';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>;

/** Our optimizer for a golden entry; `formula` picks the NAdam variant. */
export function fromReference(c: {class?: string; implementation: string; name: string; constructor_args: Args}, formula: 'torch2' | 'torch1.13' = 'torch1.13'): TorchOptimizer {
  const a = c.constructor_args;
  const cls = c.class ?? c.implementation;
  if (cls.includes('torch.optim.')) {
    const betas = a.betas ? {beta1: a.betas[0], beta2: a.betas[1]} : {};
    if (cls.includes('NAdam')) return nadam({lr: a.lr, ...betas, eps: a.eps, weightDecay: a.weight_decay, momentumDecay: a.momentum_decay, formula});
    if (cls.includes('RAdam')) return radam({lr: a.lr, ...betas, eps: a.eps, weightDecay: a.weight_decay});
    if (cls.includes('Adamax')) return adamax({lr: a.lr, ...betas, eps: a.eps, weightDecay: a.weight_decay});
    if (cls.includes('Adadelta')) return adadelta({lr: a.lr, rho: a.rho, eps: a.eps, weightDecay: a.weight_decay});
    if (cls.includes('AdamW')) return adamw({lr: a.lr, ...betas, eps: a.eps, weightDecay: a.weight_decay, amsgrad: a.amsgrad});
    if (cls.includes('Adam')) return adam({lr: a.lr, ...betas, eps: a.eps, weightDecay: a.weight_decay, amsgrad: a.amsgrad});
  }
  if (cls.includes('optax.lion')) return lion({lr: a.learning_rate, beta1: a.b1, beta2: a.b2, weightDecay: a.weight_decay});
  if (cls.includes('optax.lamb')) {
    return lamb({lr: a.learning_rate, beta1: a.b1, beta2: a.b2, eps: a.eps, epsRoot: a.eps_root, weightDecay: a.weight_decay});
  }
  if (cls.includes('optax.lars')) {
    return lars({lr: a.learning_rate, weightDecay: a.weight_decay, trustCoefficient: a.trust_coefficient, eps: a.eps, momentum: a.momentum, nesterov: a.nesterov});
  }
  if (cls.includes('optax.adafactor')) {
    return adafactor({
      lr: a.learning_rate, minDimSizeToFactor: a.min_dim_size_to_factor, decayRate: a.decay_rate, decayOffset: a.decay_offset,
      multiplyByParameterScale: a.multiply_by_parameter_scale, clippingThreshold: a.clipping_threshold, momentum: a.momentum,
      weightDecayRate: a.weight_decay_rate, eps: a.eps, factored: a.factored,
    });
  }
  throw new Error(`fromReference: no mapping for ${c.name} (${cls})`);
}
