// Internal base of layerNormalization, groupNormalization and rmsNormalization: the Keras
// `center` / `scale` options with their initializers, regularizers and constraints, the gamma /
// beta weights and their config. Subclasses give the weights' shape and call the technique op.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {LayerArgs} from './batch_normalization';
import {bool, checkArgs, positive, show} from './checks';
import {
  Constraint, ConstraintOption, Initializer, InitializerOption, Regularizer, RegularizerOption,
  resolveConstraint, resolveInitializer, resolveRegularizer, serialize,
} from './weight_options';

/** Options shared by the batch-independent norm layers. */
export interface AffineNormArgs extends LayerArgs {
  /** added inside the square root */
  epsilon?: number;
  /** learn a shift beta (default true; RMS normalisation has none) */
  center?: boolean;
  /** learn a scale gamma (default true) */
  scale?: boolean;
  betaInitializer?: InitializerOption;
  gammaInitializer?: InitializerOption;
  betaRegularizer?: RegularizerOption;
  gammaRegularizer?: RegularizerOption;
  betaConstraint?: ConstraintOption;
  gammaConstraint?: ConstraintOption;
}

/** gamma / beta handling shared by the batch-independent norm layers. */
export abstract class AffineNormLayer extends tfl.layers.Layer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  protected readonly inits: {beta: Initializer; gamma: Initializer};
  protected readonly regs: {beta: Regularizer | null; gamma: Regularizer | null};
  protected readonly cons: {beta: Constraint | null; gamma: Constraint | null};
  protected gamma: tfl.LayerVariable | null = null;
  protected beta: tfl.LayerVariable | null = null;
  /** the factory's name, for messages */
  protected readonly where: string;

  protected constructor(where: string, args: AffineNormArgs | undefined, epsilonDefault: number, hasCenter: boolean) {
    checkArgs(where, args);
    const a = args ?? {};
    const epsilon = positive(where, 'epsilon', a.epsilon, epsilonDefault);
    if (!hasCenter && a.center !== undefined) throw new Error(`${where}: center is not an option (no shift), got ${JSON.stringify(a.center)}`);
    const center = hasCenter && bool(where, 'center', a.center, true);
    const scale = bool(where, 'scale', a.scale, true);
    const inits = {
      beta: resolveInitializer(where, 'betaInitializer', a.betaInitializer, 'zeros'),
      gamma: resolveInitializer(where, 'gammaInitializer', a.gammaInitializer, 'ones'),
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
    this.where = where;
    this.epsilon = epsilon;
    this.center = center;
    this.scale = scale;
    this.inits = inits;
    this.regs = regs;
    this.cons = cons;
    this.supportsMasking = true;
  }

  /** The gamma / beta shape for this input shape (throws naming the layer on a bad shape). */
  protected abstract paramShape(inputShape: tfl.Shape): number[];

  /** The technique op on the read weights. */
  protected abstract normalize(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null): tf.Tensor;

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const p = this.paramShape(shape);
    if (this.scale) this.gamma = this.addWeight('gamma', p, 'float32', this.inits.gamma, this.regs.gamma ?? undefined, true, this.cons.gamma ?? undefined);
    if (this.center) this.beta = this.addWeight('beta', p, 'float32', this.inits.beta, this.regs.beta ?? undefined, true, this.cons.beta ?? undefined);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => this.normalize(x, this.gamma?.read() ?? null, this.beta?.read() ?? null));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const cfg: tf.serialization.ConfigDict = {epsilon: this.epsilon};
    if (this.hasCenter()) {
      cfg.center = this.center;
      cfg.betaInitializer = serialize(this.inits.beta);
      cfg.betaRegularizer = serialize(this.regs.beta);
      cfg.betaConstraint = serialize(this.cons.beta);
    }
    cfg.scale = this.scale;
    cfg.gammaInitializer = serialize(this.inits.gamma);
    cfg.gammaRegularizer = serialize(this.regs.gamma);
    cfg.gammaConstraint = serialize(this.cons.gamma);
    return {...cfg, ...super.getConfig()};
  }

  /** Whether the layer has the `center` option at all. */
  protected hasCenter(): boolean {
    return true;
  }
}

/** The input's last-axis size, or a clear error when unknown / rank too small. */
export function channelsOf(name: string, shape: tfl.Shape, minRank: number): number {
  const c = shape[shape.length - 1];
  if (shape.length < minRank || c == null) {
    throw new Error(`${name}: expected an input of rank >= ${minRank} with a known last axis, got input shape [${shape}]`);
  }
  return c;
}

/** Checks a Keras `axis` option (an integer or a non-empty array of integers); returns it. */
export function checkAxis(where: string, v: unknown): number | number[] {
  const a = v ?? -1;
  const ok = Number.isInteger(a) || (Array.isArray(a) && a.length > 0 && a.every((d) => Number.isInteger(d)));
  if (!ok) throw new Error(`${where}: axis must be an integer or a non-empty array of integers, got ${show(v)}`);
  return Array.isArray(a) ? [...a] : (a as number);
}

/**
 * The sizes of the axes `axis` names, which must be the input's last k axes (PyTorch's
 * `normalized_shape`; the technique ops normalise over trailing axes only).
 */
export function trailingShape(name: string, shape: tfl.Shape, axis: number | number[]): number[] {
  const rank = shape.length;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
  const k = axes.length;
  const trailing = axes.every((a, i) => a === rank - k + i);
  if (!trailing) {
    throw new Error(`${name}: axis must name the last axes of the input (e.g. -1 or [-2, -1]), got ${JSON.stringify(axis)} for input shape [${shape}]`);
  }
  const sizes = axes.map((a) => shape[a]);
  if (sizes.some((d) => d == null)) throw new Error(`${name}: the normalised axes must have known sizes, got input shape [${shape}]`);
  return sizes as number[];
}
