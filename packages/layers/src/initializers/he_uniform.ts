import * as tf from '@tensorflow/tfjs-core';
import * as st from '@stable-train/initializers';
import {HE_KEYS, HeArgs} from './he_normal';
import {TechniqueInitializer} from './technique_initializer';

/**
 * He / Kaiming uniform for tf.layers: U(−bound, bound), bound = gain·√(3/fan), std = gain/√fan,
 * gain = calculateGain(nonlinearity, a). Numbers from `@stable-train/initializers` `heUniform`.
 *
 * Same as PyTorch `kaiming_uniform_(w, a, mode, nonlinearity)`; `heUniform({a: Math.sqrt(5)})` is
 * PyTorch's default `nn.Linear` / `nn.Conv2d` weight init; the default case is tfjs's `HeUniform`.
 * Reference: He et al. 2015, https://arxiv.org/abs/1502.01852
 */
export class StableTrainHeUniform extends TechniqueInitializer<HeArgs> {
  static className = 'StableTrainHeUniform';
  constructor(args?: HeArgs) {
    super('heUniform', args, HE_KEYS, ({seed: _s, ...o}) => st.heUniform(o));
  }
}
tf.serialization.registerClass(StableTrainHeUniform);

/**
 * `kernelInitializer: heUniform({mode: 'fan_in', nonlinearity: 'relu'})`.
 * @param args see {@link HeArgs}
 */
export function heUniform(args?: HeArgs): StableTrainHeUniform {
  return new StableTrainHeUniform(args);
}
