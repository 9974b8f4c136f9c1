import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {layerScaleResidual} from '@stable-train/resnet-blocks';
import type {LayerArgs} from './batch_normalization';
import {checkArgs, show} from './checks';
import {ConstraintOption, RegularizerOption, resolveConstraint, resolveRegularizer, serialize} from './weight_options';

/** Options of {@link layerScale}. */
export interface LayerScaleArgs extends LayerArgs {
  /** initial γ, finite: CaiT uses 1e-5 (default; depth <= 18), 1e-6 (depth 24+), 0.1 shallow */
  initValue?: number;
  gammaRegularizer?: RegularizerOption;
  gammaConstraint?: ConstraintOption;
}

type Shape = (number | null)[];

/**
 * LayerScale (CaiT): a learned per-channel γ (weight `gamma`, shape `[C]`, the last axis, all
 * `initValue`). On one input f it returns γ ⊙ f (timm's `LayerScale` module; add the shortcut
 * yourself); on two inputs `[x, fx]` it returns the residual x + γ ⊙ fx, computed by
 * `@stable-train/resnet-blocks` `layerScaleResidual`.
 *
 * Reference: Touvron et al. 2021, "Going deeper with Image Transformers" (CaiT),
 * https://arxiv.org/abs/2103.17239; timm `LayerScale(dim, init_values=1e-5)`.
 */
export class StableTrainLayerScale extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainLayerScale';
  readonly initValue: number;
  private readonly reg: ReturnType<typeof resolveRegularizer>;
  private readonly con: ReturnType<typeof resolveConstraint>;
  private gamma: tfl.LayerVariable | null = null;

  constructor(args: LayerScaleArgs = {}) {
    const where = 'layerScale';
    checkArgs(where, args);
    const {initValue: iv, gammaRegularizer, gammaConstraint, ...rest} = args ?? {};
    const initValue = iv ?? 1e-5;
    if (typeof initValue !== 'number' || !Number.isFinite(initValue)) {
      throw new Error(`${where}: initValue must be a finite number, got ${show(iv)}`);
    }
    const reg = resolveRegularizer(where, 'gammaRegularizer', gammaRegularizer);
    const con = resolveConstraint(where, 'gammaConstraint', gammaConstraint);
    super(rest);
    this.initValue = initValue;
    this.reg = reg;
    this.con = con;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const two = Array.isArray(inputShape[0]);
    const shapes = (two ? inputShape : [inputShape]) as Shape[];
    if (shapes.length > 2) throw new Error(`${this.name}: expected one input f or two inputs [x, fx], got ${shapes.length}`);
    if (shapes.length === 2 && shapes[0].join(',') !== shapes[1].join(',')) {
      throw new Error(`${this.name}: x and fx must have the same shape, got [${shapes[0]}] and [${shapes[1]}]`);
    }
    const c = shapes[0][shapes[0].length - 1];
    if (shapes[0].length < 2 || c == null) {
      throw new Error(`${this.name}: expected an input of rank >= 2 with a known last axis, got input shape [${shapes[0]}]`);
    }
    const init = tfl.initializers.constant({value: this.initValue});
    this.gamma = this.addWeight('gamma', [c], 'float32', init, this.reg ?? undefined, true, this.con ?? undefined);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const g = this.gamma!.read();
    if (Array.isArray(inputs) && inputs.length === 2) return layerScaleResidual(inputs[0], inputs[1], g);
    const f = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(f, g));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {initValue: this.initValue, gammaRegularizer: serialize(this.reg), gammaConstraint: serialize(this.con), ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainLayerScale);

/**
 * LayerScale for tf.layers models (see {@link StableTrainLayerScale}).
 *
 * ```ts
 * const x = tf.input({shape: [8]});
 * const fx = tf.layers.dense({units: 8, activation: 'relu'}).apply(x) as tf.SymbolicTensor;
 * const y = layers.layerScale({initValue: 1e-5}).apply([x, fx]); // x + γ ⊙ f(x)
 * ```
 * @param args `initValue` (default 1e-5), `gammaRegularizer`, `gammaConstraint`
 */
export function layerScale(args?: LayerScaleArgs): StableTrainLayerScale {
  return new StableTrainLayerScale(args);
}
