import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {batchNormInference, batchNormMovingUpdate, instanceNorm} from '@stable-train/batchnorm';
import {AffineNormArgs, AffineNormLayer, channelsOf} from './affine_norm_layer';
import {bool, checkArgs, inRange, lastAxis} from './checks';
import {isTraining} from './norm_call';

/** Options of {@link instanceNormalization}. */
export interface InstanceNormalizationArgs extends AffineNormArgs {
  /** the channel axis; only the last (-1, channels last) is supported */
  axis?: number;
  /**
   * keep `moving_mean` / `moving_variance` (default false, as PyTorch): training still normalises
   * with the instance statistics and moves the running ones; inference normalises with them
   */
  trackRunningStats?: boolean;
  /** Keras momentum, the weight of the OLD moving value, in [0, 1] (default 0.9 = PyTorch momentum 0.1) */
  momentum?: number;
}

/**
 * Instance normalisation layer, channels last (`[N, L, C]`, NHWC, `[N, D, H, W, C]`): every
 * (sample, channel) is normalised over its own spatial positions,
 * y = (x - mean_{n,c}) / sqrt(var_{n,c} + epsilon) * gamma + beta (biased variance), in training
 * and inference. With `trackRunningStats`, training also moves
 * moving = momentum · moving + (1 - momentum) · stat (stat: the mean over n of mean_{n,c} and of
 * the UNBIASED var_{n,c}), and inference (`predict`) normalises with the moving statistics.
 * Numbers from `@stable-train/batchnorm` (`instanceNorm`, `batchNormMovingUpdate`,
 * `batchNormInference`), the same as its `InstanceNorm` module.
 *
 * Defaults are Keras / tf-addons `InstanceNormalization`'s (epsilon 1e-3, center and scale on);
 * PyTorch `nn.InstanceNorm2d(C)` is `{center: false, scale: false, epsilon: 1e-5}` (add
 * `trackRunningStats: true, momentum: 0.9` for `track_running_stats=True, momentum=0.1`).
 * Weights: `gamma`, `beta` (trainable, `[C]`), `moving_mean`, `moving_variance` (not trainable).
 * Reference: Ulyanov, Vedaldi & Lempitsky 2016, https://arxiv.org/abs/1607.08022;
 * PyTorch: https://pytorch.org/docs/1.13/generated/torch.nn.InstanceNorm2d.html
 */
export class StableTrainInstanceNormalization extends AffineNormLayer {
  /** @nocollapse */
  static className = 'StableTrainInstanceNormalization';
  readonly axis: number;
  readonly trackRunningStats: boolean;
  readonly momentum: number;
  private movingMean: tfl.LayerVariable | null = null;
  private movingVariance: tfl.LayerVariable | null = null;

  constructor(args: InstanceNormalizationArgs = {}) {
    const where = 'instanceNormalization';
    checkArgs(where, args);
    const {axis: ax, trackRunningStats: tr, momentum: mo, ...rest} = args ?? {};
    const axis = lastAxis(where, ax);
    const track = bool(where, 'trackRunningStats', tr, false);
    const momentum = inRange(where, 'momentum', mo, 0.9, 0, 1);
    super(where, rest, 1e-3, true);
    this.axis = axis;
    this.trackRunningStats = track;
    this.momentum = momentum;
  }

  protected paramShape(shape: tfl.Shape): number[] {
    if (this.axis !== -1 && this.axis !== shape.length - 1) {
      throw new Error(`${this.name}: axis must be the last axis (-1), got axis ${this.axis} for input shape [${shape}]`);
    }
    return [channelsOf(this.name, shape, 3)];
  }

  protected normalize(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null): tf.Tensor {
    return instanceNorm(x, gamma, beta, this.epsilon);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    super.build(inputShape);
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = channelsOf(this.name, shape, 3);
    if (this.trackRunningStats) {
      this.movingMean = this.addWeight('moving_mean', [c], 'float32', tfl.initializers.zeros(), undefined, false);
      this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tfl.initializers.ones(), undefined, false);
    }
    this.inputSpec = [new tfl.InputSpec({minNDim: 3})];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs?: {[key: string]: unknown}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = isTraining(kwargs);
    const gamma = this.gamma?.read() ?? null;
    const beta = this.beta?.read() ?? null;
    const [mm, mv] = [this.movingMean, this.movingVariance];
    if (mm === null || mv === null) return tf.tidy(() => instanceNorm(x, gamma, beta, this.epsilon));
    if (!training) return tf.tidy(() => batchNormInference(x, mm.read(), mv.read(), gamma, beta, this.epsilon));
    return tf.tidy(() => {
      const y = instanceNorm(x, gamma, beta, this.epsilon);
      // the batch statistic is the mean over samples of the per-instance ones (PyTorch); the
      // unbiasing by S / (S - 1) (S spatial positions) is batchNormMovingUpdate's
      const spatial = Array.from({length: x.rank - 2}, (_, i) => i + 1);
      const s = x.shape.slice(1, -1).reduce((p, q) => p * q, 1);
      const {mean, variance} = tf.moments(x, spatial);
      const next = batchNormMovingUpdate(mm.read(), mv.read(), tf.mean(mean, 0), tf.mean(variance, 0), s, 1 - this.momentum, true);
      mm.write(next.movingMean);
      mv.write(next.movingVariance);
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {axis: this.axis, trackRunningStats: this.trackRunningStats, momentum: this.momentum, ...super.getConfig()};
  }
}
tf.serialization.registerClass(StableTrainInstanceNormalization);

/**
 * Instance normalisation for tf.layers models, optionally with PyTorch's running statistics
 * (see {@link StableTrainInstanceNormalization}).
 *
 * ```ts
 * const model = tf.sequential({layers: [
 *   tf.layers.conv2d({filters: 8, kernelSize: 3, inputShape: [16, 16, 3]}),
 *   layers.instanceNormalization({center: false, scale: false, epsilon: 1e-5}),
 * ]});
 * ```
 * @param args see {@link InstanceNormalizationArgs}
 */
export function instanceNormalization(args?: InstanceNormalizationArgs): StableTrainInstanceNormalization {
  return new StableTrainInstanceNormalization(args);
}
