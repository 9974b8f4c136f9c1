import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {bool, checkArgs, inRange, lastAxis, oneOf, positive} from './checks';
import {BatchNormSettings, batchNormCall, isTraining} from './norm_call';
import {
  ConstraintOption, InitializerOption, RegularizerOption,
  resolveConstraint, resolveInitializer, resolveRegularizer, serialize,
} from './weight_options';

/** The base options every tf.layers layer takes (`name`, `inputShape`, `trainable`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Which moving-variance rule {@link batchNormalization} follows. */
export type RunningVarianceConvention = 'keras' | 'pytorch';

/** Options of {@link batchNormalization}: Keras's `BatchNormalization` plus `runningVarianceConvention`. */
export interface BatchNormalizationArgs extends LayerArgs {
  /** the channel axis; only the last (-1, channels last) is supported */
  axis?: number;
  /** Keras momentum, the weight of the OLD moving value, in [0, 1] (default 0.99; PyTorch momentum p = 1 - this) */
  momentum?: number;
  /** added to the variance inside the square root (default 1e-3, Keras; PyTorch 1e-5) */
  epsilon?: number;
  /** learn a shift beta (default true) */
  center?: boolean;
  /** learn a scale gamma (default true) */
  scale?: boolean;
  /**
   * 'keras' (default): the moving variance takes the biased batch variance (tf.layers / Keras).
   * 'pytorch': the unbiased one, × n / (n - 1), as `torch.nn.BatchNorm2d` does.
   */
  runningVarianceConvention?: RunningVarianceConvention;
  betaInitializer?: InitializerOption;
  gammaInitializer?: InitializerOption;
  movingMeanInitializer?: InitializerOption;
  movingVarianceInitializer?: InitializerOption;
  betaRegularizer?: RegularizerOption;
  gammaRegularizer?: RegularizerOption;
  betaConstraint?: ConstraintOption;
  gammaConstraint?: ConstraintOption;
}

const CONVENTIONS = ['keras', 'pytorch'] as const;

/**
 * Batch normalisation layer (channels last) with @stable-train/batchnorm's numerics:
 * training: y = (x - mean_B) / sqrt(var_B + epsilon) * gamma + beta (biased var_B), then
 * moving = momentum * moving + (1 - momentum) * batch (the variance's batch value unbiased with
 * `runningVarianceConvention: 'pytorch'`); inference: the moving statistics normalise.
 * `model.fit` runs it in training mode, `model.predict` / `evaluate` in inference mode.
 *
 * Defaults are Keras's (momentum 0.99, epsilon 1e-3, biased moving variance), so it is a drop-in
 * replacement for `tf.layers.batchNormalization`. For PyTorch's `nn.BatchNorm2d` pass
 * `{momentum: 0.9, epsilon: 1e-5, runningVarianceConvention: 'pytorch'}`.
 * Weights: `gamma`, `beta` (trainable), `moving_mean`, `moving_variance` (not trainable).
 * Reference: Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167
 */
export class StableTrainBatchNormalization extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainBatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly runningVarianceConvention: RunningVarianceConvention;
  protected readonly inits: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', ReturnType<typeof resolveInitializer>>;
  protected readonly regs: Record<'beta' | 'gamma', ReturnType<typeof resolveRegularizer>>;
  protected readonly cons: Record<'beta' | 'gamma', ReturnType<typeof resolveConstraint>>;
  protected gamma: tfl.LayerVariable | null = null;
  protected beta: tfl.LayerVariable | null = null;
  protected movingMean: tfl.LayerVariable | null = null;
  protected movingVariance: tfl.LayerVariable | null = null;

  constructor(args: BatchNormalizationArgs = {}, where = 'batchNormalization') {
    checkArgs(where, args);
    const a = args ?? {};
    const axis = lastAxis(where, a.axis);
    const momentum = inRange(where, 'momentum', a.momentum, 0.99, 0, 1);
    const epsilon = positive(where, 'epsilon', a.epsilon, 1e-3);
    const center = bool(where, 'center', a.center, true);
    const scale = bool(where, 'scale', a.scale, true);
    const conv = oneOf(where, 'runningVarianceConvention', a.runningVarianceConvention, 'keras', CONVENTIONS);
    const inits = {
      beta: resolveInitializer(where, 'betaInitializer', a.betaInitializer, 'zeros'),
      gamma: resolveInitializer(where, 'gammaInitializer', a.gammaInitializer, 'ones'),
      movingMean: resolveInitializer(where, 'movingMeanInitializer', a.movingMeanInitializer, 'zeros'),
      movingVariance: resolveInitializer(where, 'movingVarianceInitializer', a.movingVarianceInitializer, 'ones'),
    };
    const regs = {
      beta: resolveRegularizer(where, 'betaRegularizer', a.betaRegularizer),
      gamma: resolveRegularizer(where, 'gammaRegularizer', a.gammaRegularizer),
    };
    const cons = {
      beta: resolveConstraint(where, 'betaConstraint', a.betaConstraint),
      gamma: resolveConstraint(where, 'gammaConstraint', a.gammaConstraint),
    };
    super(a);
    this.axis = axis;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.center = center;
    this.scale = scale;
    this.runningVarianceConvention = conv;
    this.inits = inits;
    this.regs = regs;
    this.cons = cons;
    this.supportsMasking = true;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const rank = shape.length;
    if (rank < 2 || (this.axis !== -1 && this.axis !== rank - 1)) {
      throw new Error(`${this.name}: axis must be the last axis (-1) of an input of rank >= 2, got axis ${this.axis} for input shape [${shape}]`);
    }
    const c = shape[rank - 1];
    if (c == null) throw new Error(`${this.name}: the last axis of the input must have a known size, got input shape [${shape}]`);
    if (this.scale) this.gamma = this.addWeight('gamma', [c], 'float32', this.inits.gamma, this.regs.gamma ?? undefined, true, this.cons.gamma ?? undefined);
    if (this.center) this.beta = this.addWeight('beta', [c], 'float32', this.inits.beta, this.regs.beta ?? undefined, true, this.cons.beta ?? undefined);
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', this.inits.movingMean, undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', this.inits.movingVariance, undefined, false);
    this.inputSpec = [new tfl.InputSpec({ndim: rank, axes: {[rank - 1]: c}})];
    this.built = true;
  }

  /** The settings `batchNormCall` gets (batch renorm adds its limits). */
  protected settings(): BatchNormSettings {
    return {epsilon: this.epsilon, momentum: this.momentum, unbiased: this.runningVarianceConvention === 'pytorch', renorm: null};
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: {[key: string]: unknown}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = isTraining(kwargs);
    const vars = {gamma: this.gamma, beta: this.beta, movingMean: this.movingMean!, movingVariance: this.movingVariance!};
    return tf.tidy(() => batchNormCall(x, vars, training, this.settings()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      runningVarianceConvention: this.runningVarianceConvention,
      betaInitializer: serialize(this.inits.beta),
      gammaInitializer: serialize(this.inits.gamma),
      movingMeanInitializer: serialize(this.inits.movingMean),
      movingVarianceInitializer: serialize(this.inits.movingVariance),
      betaRegularizer: serialize(this.regs.beta),
      gammaRegularizer: serialize(this.regs.gamma),
      betaConstraint: serialize(this.cons.beta),
      gammaConstraint: serialize(this.cons.gamma),
      ...super.getConfig(),
    };
  }
}
tf.serialization.registerClass(StableTrainBatchNormalization);

/**
 * Batch normalisation for tf.layers models with PyTorch's running-variance rule as an option
 * (see {@link StableTrainBatchNormalization}).
 *
 * ```ts
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({units: 16, inputShape: [8]}),
 *   layers.batchNormalization({momentum: 0.9, epsilon: 1e-5, runningVarianceConvention: 'pytorch'}),
 * ]});
 * ```
 * @param args see {@link BatchNormalizationArgs}
 */
export function batchNormalization(args?: BatchNormalizationArgs): StableTrainBatchNormalization {
  return new StableTrainBatchNormalization(args);
}
