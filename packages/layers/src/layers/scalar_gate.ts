import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {LayerArgs} from './batch_normalization';
import {checkArgs, show} from './checks';
import {ConstraintOption, RegularizerOption, resolveConstraint, resolveRegularizer, serialize} from './weight_options';

/** Options of {@link scalarGate}. */
export interface ScalarGateArgs extends LayerArgs {
  /** the initial alpha, a finite number (default 0: ReZero / SkipInit) */
  init?: number;
  alphaRegularizer?: RegularizerOption;
  alphaConstraint?: ConstraintOption;
}

/**
 * A learned scalar gate: y = alpha * x, alpha one trainable scalar (weight `alpha`, shape []),
 * zero-initialised by default. Put it at the end of a residual branch and add the shortcut
 * (`tf.layers.add([x, gate.apply(branch)])`): the block starts as the identity, so deep stacks
 * train without normalisation. The residual blocks of this package have it built in (`gate`).
 * References: ReZero, Bachlechner et al. 2020, https://arxiv.org/abs/2003.04887; SkipInit, De &
 * Smith 2020, https://arxiv.org/abs/2002.10444 (same as `@stable-train/resnet-blocks`' gates).
 */
export class StableTrainScalarGate extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainScalarGate';
  readonly init: number;
  private readonly reg: ReturnType<typeof resolveRegularizer>;
  private readonly con: ReturnType<typeof resolveConstraint>;
  private alpha: tfl.LayerVariable | null = null;

  constructor(args: ScalarGateArgs = {}) {
    const where = 'scalarGate';
    checkArgs(where, args);
    const init = args?.init ?? 0;
    if (typeof init !== 'number' || !Number.isFinite(init)) {
      throw new Error(`${where}: init must be a finite number, got ${show(args?.init)}`);
    }
    const reg = resolveRegularizer(where, 'alphaRegularizer', args?.alphaRegularizer);
    const con = resolveConstraint(where, 'alphaConstraint', args?.alphaConstraint);
    super(args ?? {});
    this.init = init;
    this.reg = reg;
    this.con = con;
  }

  override build(): void {
    const init = tfl.initializers.constant({value: this.init});
    this.alpha = this.addWeight('alpha', [], 'float32', init, this.reg ?? undefined, true, this.con ?? undefined);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, this.alpha!.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {init: this.init, alphaRegularizer: serialize(this.reg), alphaConstraint: serialize(this.con), ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainScalarGate);

/**
 * ReZero / SkipInit scalar gate for tf.layers models (see {@link StableTrainScalarGate}).
 *
 * ```ts
 * const input = tf.input({shape: [16]});
 * const branch = tf.layers.dense({units: 16, activation: 'relu'}).apply(input) as tf.SymbolicTensor;
 * const y = tf.layers.add().apply([input, layers.scalarGate().apply(branch) as tf.SymbolicTensor]);
 * ```
 * @param args see {@link ScalarGateArgs}
 */
export function scalarGate(args?: ScalarGateArgs): StableTrainScalarGate {
  return new StableTrainScalarGate(args);
}
