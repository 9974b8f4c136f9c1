import * as tf from '@tensorflow/tfjs-core';
import {residualDenseSpec} from '@stable-train/resnet-blocks';
import type {BlockSpec} from '@stable-train/resnet-blocks';
import {integer} from './checks';
import {ResidualBlockArgs, ResidualBlockLayer} from './residual_block_layer';

/** Options of {@link residualDense}. */
export interface ResidualDenseArgs extends ResidualBlockArgs {
  /** output features */
  units: number;
  /** hidden features (default `units`) */
  hidden?: number;
}

/**
 * Pre-activation dense residual block (`@stable-train/resnet-blocks`' `residualDense`, computed by
 * its `residualBlockApply`): y = s(x) + g * F(x), F(x) = dense2(act(norm2(dense1(act(norm1(x)))))),
 * s the identity, or a bias-free dense projection of act(norm1(x)) when the input width differs
 * from `units`; g the gate's alpha (or 1). Input `[batch, features]`.
 * Weights (as the technique module's variables): `norm1/*`, `norm2/*` (with a norm),
 * `dense1/kernel` [in, hidden], `dense1/bias`, `dense2/kernel` [hidden, units], `dense2/bias`,
 * `shortcut/kernel` (projection), `gate/alpha` (gated).
 * Reference: He et al. 2016, https://arxiv.org/abs/1603.05027
 */
export class StableTrainResidualDense extends ResidualBlockLayer {
  /** @nocollapse */
  static className = 'StableTrainResidualDense';
  readonly units: number;
  readonly hidden: number;

  constructor(args: ResidualDenseArgs) {
    const where = 'residualDense';
    if (args == null || typeof args !== 'object') throw new Error(`${where}: args with units are required, got ${String(args)}`);
    const units = integer(where, 'units', args.units, undefined);
    const hidden = integer(where, 'hidden', args.hidden, units);
    super(where, args);
    this.units = units;
    this.hidden = hidden;
    this.spec(units); // the technique package's own checks, before any tensor exists
  }

  protected spec(inChannels: number): BlockSpec {
    return residualDenseSpec({name: this.name, units: this.units, hidden: this.hidden, inputUnits: inChannels, gate: this.gate, useBias: this.useBias, activation: this.activation});
  }

  protected get rank(): number {
    return 2;
  }

  protected get outChannels(): number {
    return this.units;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {units: this.units, hidden: this.hidden, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainResidualDense);

/**
 * Dense residual block for tf.sequential / functional models (see {@link StableTrainResidualDense}).
 *
 * ```ts
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({units: 32, inputShape: [8]}),
 *   layers.residualDense({units: 32, gate: 'rezero', norm: 'layerNormalization'}),
 *   tf.layers.dense({units: 1}),
 * ]});
 * ```
 * @param args see {@link ResidualDenseArgs}
 */
export function residualDense(args: ResidualDenseArgs): StableTrainResidualDense {
  return new StableTrainResidualDense(args);
}
