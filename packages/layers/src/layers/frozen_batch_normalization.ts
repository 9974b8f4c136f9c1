import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {batchNormInference} from '@stable-train/batchnorm';
import type {LayerArgs} from './batch_normalization';
import {checkArgs, lastAxis, positive} from './checks';

/** Options of {@link frozenBatchNormalization}: torchvision `FrozenBatchNorm2d(num_features, eps)`. */
export interface FrozenBatchNormalizationArgs extends LayerArgs {
  /** the channel axis; only the last (-1, channels last) is supported */
  axis?: number;
  /** added to the variance inside the square root (default 1e-5, as torchvision) */
  epsilon?: number;
}

/**
 * Batch normalisation with everything fixed, channels last:
 * y = (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta, the same in `fit`
 * (training) and `predict` (inference); no weight is trainable and no statistic moves.
 * Numbers from `@stable-train/batchnorm` `batchNormInference` (its `FrozenBatchNorm` module).
 * Weights have `batchNormalization`'s names and defaults: `gamma` (ones), `beta` (zeros),
 * `moving_mean` (zeros), `moving_variance` (ones), all non-trainable, so a trained batch norm's
 * weights load with `setWeights(bn.getWeights())` (same order when the bn has center and scale).
 *
 * Same as torchvision `torchvision.ops.FrozenBatchNorm2d` (the standard for fine-tuning with small
 * batches), on NHWC.
 * Reference: https://pytorch.org/vision/0.14/generated/torchvision.ops.FrozenBatchNorm2d.html;
 * Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167
 */
export class StableTrainFrozenBatchNormalization extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainFrozenBatchNormalization';
  readonly axis: number;
  readonly epsilon: number;
  private w: Record<'gamma' | 'beta' | 'movingMean' | 'movingVariance', tfl.LayerVariable> | null = null;

  constructor(args: FrozenBatchNormalizationArgs = {}) {
    const where = 'frozenBatchNormalization';
    checkArgs(where, args);
    const {axis: ax, epsilon: ep, ...rest} = args ?? {};
    const axis = lastAxis(where, ax);
    const epsilon = positive(where, 'epsilon', ep, 1e-5);
    super(rest);
    this.axis = axis;
    this.epsilon = epsilon;
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
    const add = (n: string, init: ReturnType<typeof tfl.initializers.ones>) => this.addWeight(n, [c], 'float32', init, undefined, false);
    this.w = {
      gamma: add('gamma', tfl.initializers.ones()),
      beta: add('beta', tfl.initializers.zeros()),
      movingMean: add('moving_mean', tfl.initializers.zeros()),
      movingVariance: add('moving_variance', tfl.initializers.ones()),
    };
    this.inputSpec = [new tfl.InputSpec({minNDim: 2})]; // batchNormInference checks the channels
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const w = this.w!;
    return tf.tidy(() => batchNormInference(x, w.movingMean.read(), w.movingVariance.read(), w.gamma.read(), w.beta.read(), this.epsilon));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {axis: this.axis, epsilon: this.epsilon, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainFrozenBatchNormalization);

/**
 * Frozen batch normalisation for fine-tuning tf.layers models (see
 * {@link StableTrainFrozenBatchNormalization}).
 *
 * ```ts
 * const frozen = layers.frozenBatchNormalization({epsilon: 1e-5});
 * const model = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [3]}), frozen]});
 * ```
 * @param args see {@link FrozenBatchNormalizationArgs}
 */
export function frozenBatchNormalization(args?: FrozenBatchNormalizationArgs): StableTrainFrozenBatchNormalization {
  return new StableTrainFrozenBatchNormalization(args);
}

/**
 * A frozen copy of a trained batch normalisation layer (ours or `tf.layers.batchNormalization`):
 * a {@link StableTrainFrozenBatchNormalization} with its epsilon and its `gamma`, `beta`,
 * `moving_mean`, `moving_variance` values (ones / zeros where the layer has no scale / center),
 * so y = the layer's inference output in `fit` and `predict` alike, and nothing trains or moves.
 * The tf.layers counterpart of `@stable-train/batchnorm` `freezeBatchNorm`
 * (torchvision `FrozenBatchNorm2d` loaded from a `BatchNorm2d`'s state).
 *
 * ```ts
 * const bn = layers.batchNormalization();
 * const model = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [3]}), bn]});
 * const frozen = layers.freezeBatchNormalization(bn); // use it in the fine-tuning model
 * ```
 * @param bn a built batch normalisation layer with channels last
 * @param args options of the new layer (`name`, ...); epsilon is taken from `bn`
 */
export function freezeBatchNormalization(bn: tfl.layers.Layer, args: Omit<FrozenBatchNormalizationArgs, 'epsilon'> = {}): StableTrainFrozenBatchNormalization {
  const fn = 'freezeBatchNormalization';
  if (!(bn instanceof tfl.layers.Layer)) throw new Error(`${fn}: bn must be a tf.layers.Layer, got ${String(bn)}`);
  const byName = (suffix: string) => bn.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  const mm = byName('moving_mean');
  const mv = byName('moving_variance');
  const epsilon = (bn.getConfig() as {epsilon?: unknown}).epsilon;
  if (!bn.built || !mm || !mv || typeof epsilon !== 'number') {
    throw new Error(`${fn}: bn must be a built batch normalisation layer (weights moving_mean, moving_variance and an epsilon), got ${bn.name} (${bn.getClassName()})`);
  }
  if (args !== undefined && (args === null || typeof args !== 'object' || 'epsilon' in args)) {
    throw new Error(`${fn}: args must be an object of layer options without epsilon (taken from bn), got ${JSON.stringify(args)}`);
  }
  const frozen = new StableTrainFrozenBatchNormalization({...args, epsilon});
  const c = mm.shape[0] as number;
  frozen.build([null, c]);
  const w = (frozen as unknown as {w: Record<string, tfl.LayerVariable>}).w;
  const gamma = byName('gamma');
  const beta = byName('beta');
  if (gamma) w.gamma.write(gamma.read());
  if (beta) w.beta.write(beta.read());
  w.movingMean.write(mm.read());
  w.movingVariance.write(mv.read());
  return frozen;
}
