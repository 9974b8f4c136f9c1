// Internal base of residualDense, residualConv and bottleneck: builds the weights that
// @stable-train/resnet-blocks' layout lists (same names: `dense1/kernel`, `gate/alpha`,
// `norm1/gamma`, ...) and computes with its `residualBlockApply`; the norms are
// @stable-train/batchnorm's ops on the layer's own norm weights.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {residualBlockApply, residualBlockWeights, resolveActivation} from '@stable-train/resnet-blocks';
import type {ActivationName, BlockLayout, BlockSpec, Gate} from '@stable-train/resnet-blocks';
import type {LayerArgs, RunningVarianceConvention} from './batch_normalization';
import {bool, checkArgs, inRange, integer, oneOf, positive, show} from './checks';
import {checkActivation} from './conv_options';
import {BLOCK_NORMS, BlockNorm, NormVars, blockNormCall, normWeightSpecs} from './block_norm';
import {isTraining} from './norm_call';
import {
  Constraint, ConstraintOption, Initializer, InitializerOption, Regularizer, RegularizerOption,
  resolveConstraint, resolveInitializer, resolveRegularizer, serialize,
} from './weight_options';

export type {BlockNorm} from './block_norm';

/** Options every residual block layer takes (those of `@stable-train/resnet-blocks`, Keras-named). */
export interface ResidualBlockArgs extends LayerArgs {
  /** activation name (default 'relu'; pre-activation order) */
  activation?: ActivationName;
  /** norm before each weight layer (default 'none'); its weights are `norm1/...`, `norm2/...` */
  norm?: BlockNorm;
  /** groups of 'groupNormalization' (default 32; must divide every normalised channel count) */
  normGroups?: number;
  /** epsilon of the norms (default 1e-3, Keras; PyTorch 1e-5; RMS norm too) */
  normEpsilon?: number;
  /** Keras momentum of 'batchNormalization' (weight of the old moving value, default 0.99) */
  normMomentum?: number;
  /** moving-variance rule of 'batchNormalization' (default 'keras'; 'pytorch' = unbiased) */
  runningVarianceConvention?: RunningVarianceConvention;
  /** residual gate y = s(x) + alpha * F(x): 'none' (default), 'rezero', 'skipinit' (alpha 0) or {init} */
  gate?: Gate;
  /** biases in the branch's weight layers (default true) */
  useBias?: boolean;
  /** stochastic depth rate of the branch, in [0, 1) (default 0; timm `drop_path`, active in training only) */
  dropPath?: number;
  /** LayerScale: a per-channel `layer_scale/gamma` starting at this value multiplies the branch (CaiT; default none) */
  layerScale?: number;
  /** squeeze-excitation reduction ratio on the branch (conv blocks only; weights `se/fc1/kernel`, ...; default none) */
  squeezeExcite?: number;
  /** default 'heUniform' (the technique package's default, PyTorch kaiming_uniform_ relu) */
  kernelInitializer?: InitializerOption;
  biasInitializer?: InitializerOption;
  kernelRegularizer?: RegularizerOption;
  biasRegularizer?: RegularizerOption;
  kernelConstraint?: ConstraintOption;
  biasConstraint?: ConstraintOption;
}

// options of the technique modules that the layers take another way (or not at all)
const MODULE_ONLY: Record<string, string> = {
  fixup: "Fixup is not available as a tf.layers block; use gate: 'rezero' or 'skipinit'",
  kernelInit: 'use kernelInitializer', biasInit: 'use biasInitializer',
  stride: 'use strides', inChannels: 'the input shape gives it', inputUnits: 'the input shape gives it',
};

/** Common machinery of the residual block layers. */
export abstract class ResidualBlockLayer extends tfl.layers.Layer {
  readonly activation: ActivationName;
  readonly norm: BlockNorm;
  readonly normGroups: number;
  readonly normEpsilon: number;
  readonly normMomentum: number;
  readonly runningVarianceConvention: RunningVarianceConvention;
  readonly gate: Gate;
  readonly useBias: boolean;
  readonly dropPath: number;
  readonly layerScale: number | null;
  readonly squeezeExcite: number | null;
  protected readonly where: string;
  private readonly inits: {kernel: Initializer; bias: Initializer};
  private readonly regs: {kernel: Regularizer | null; bias: Regularizer | null};
  private readonly cons: {kernel: Constraint | null; bias: Constraint | null};
  private layout: BlockLayout | null = null;
  private readonly blockWeights: {[name: string]: tfl.LayerVariable} = {};
  private readonly norms: NormVars[] = [];

  protected constructor(where: string, args: ResidualBlockArgs) {
    checkArgs(where, args);
    const a = args ?? {};
    for (const [k, hint] of Object.entries(MODULE_ONLY)) {
      if (k in a) throw new Error(`${where}: ${k} is an option of the @stable-train/resnet-blocks module, not of this layer; ${hint}`);
    }
    const activation = checkActivation(where, a.activation, 'relu');
    const norm = oneOf(where, 'norm', a.norm, 'none', BLOCK_NORMS);
    const normGroups = integer(where, 'normGroups', a.normGroups, 32);
    const normEpsilon = positive(where, 'normEpsilon', a.normEpsilon, 1e-3);
    const normMomentum = inRange(where, 'normMomentum', a.normMomentum, 0.99, 0, 1);
    const conv = oneOf(where, 'runningVarianceConvention', a.runningVarianceConvention, 'keras', ['keras', 'pytorch'] as const);
    const gate = a.gate ?? 'none';
    const okGate = gate === 'none' || gate === 'rezero' || gate === 'skipinit' ||
      (typeof gate === 'object' && gate !== null && Number.isFinite((gate as {init?: unknown}).init));
    if (!okGate) throw new Error(`${where}: gate must be 'none', 'rezero', 'skipinit' or {init: <finite number>}, got ${show(a.gate)}`);
    const useBias = bool(where, 'useBias', a.useBias, true);
    const dropPath = inRange(where, 'dropPath', a.dropPath, 0, 0, 1);
    const layerScale = a.layerScale == null ? null : positive(where, 'layerScale', a.layerScale, 1e-5);
    const squeezeExcite = a.squeezeExcite == null ? null : positive(where, 'squeezeExcite', a.squeezeExcite, 16);
    const inits = {
      kernel: resolveInitializer(where, 'kernelInitializer', a.kernelInitializer, 'heUniform'),
      bias: resolveInitializer(where, 'biasInitializer', a.biasInitializer, 'zeros'),
    };
    const regs = {
      kernel: resolveRegularizer(where, 'kernelRegularizer', a.kernelRegularizer),
      bias: resolveRegularizer(where, 'biasRegularizer', a.biasRegularizer),
    };
    const cons = {
      kernel: resolveConstraint(where, 'kernelConstraint', a.kernelConstraint),
      bias: resolveConstraint(where, 'biasConstraint', a.biasConstraint),
    };
    super(a);
    this.where = where;
    this.activation = activation;
    this.norm = norm;
    this.normGroups = normGroups;
    this.normEpsilon = normEpsilon;
    this.normMomentum = normMomentum;
    this.runningVarianceConvention = conv;
    this.gate = typeof gate === 'object' ? {init: gate.init} : gate;
    this.useBias = useBias;
    this.dropPath = dropPath;
    this.layerScale = layerScale;
    this.squeezeExcite = squeezeExcite;
    this.inits = inits;
    this.regs = regs;
    this.cons = cons;
  }

  /** The technique package's layout for this input channel count (validates the options). */
  protected abstract spec(inChannels: number): BlockSpec;

  /** The input rank (2 for dense, 4 for conv). */
  protected abstract get rank(): number;

  /** Output channels. */
  protected abstract get outChannels(): number;

  /** Spatial stride (1 for dense). */
  protected get stride(): number {
    return 1;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[shape.length - 1];
    if (shape.length !== this.rank || c == null) {
      const layout = this.rank === 2 ? '[batch, features]' : '[batch, height, width, channels]';
      throw new Error(`${this.name}: expected input ${layout} with a known last axis, got input shape [${shape}]`);
    }
    const layout: BlockLayout = {
      ...this.spec(c), dropPath: this.dropPath, layerScale: this.layerScale !== null, squeezeExciteRatio: this.squeezeExcite,
    };
    if (this.squeezeExcite !== null && layout.kind !== 'conv') throw new Error(`${this.where}: squeezeExcite needs a conv block (NHWC), not a dense one`);
    layout.layers.forEach((l, i) => this.norms.push(this.addNorm(`norm${i + 1}`, l.kernelShape[l.kernelShape.length - 2])));
    for (const w of residualBlockWeights(layout)) {
      const kernel = w.role === 'kernel' || w.role === 'shortcut';
      if (w.role === 'alpha') {
        const init = tfl.initializers.constant({value: layout.alpha0 as number});
        this.blockWeights[w.name] = this.addWeight(w.name, w.shape, 'float32', init, undefined, true);
      } else if (w.role === 'layerScale') {
        const init = tfl.initializers.constant({value: this.layerScale as number});
        this.blockWeights[w.name] = this.addWeight(w.name, w.shape, 'float32', init, undefined, true);
      } else if (w.role === 'squeezeExcite') {
        // as resnet-blocks' squeezeExcite: kernels from the kernel initializer, biases zero
        const init = w.name.endsWith('/kernel') ? this.inits.kernel : tfl.initializers.zeros();
        this.blockWeights[w.name] = this.addWeight(w.name, w.shape, 'float32', init, undefined, true);
      } else if (kernel || w.role === 'bias') {
        const k = kernel ? 'kernel' : 'bias';
        this.blockWeights[w.name] = this.addWeight(w.name, w.shape, 'float32', this.inits[k], this.regs[k] ?? undefined, true, this.cons[k] ?? undefined);
      } else {
        throw new Error(`${this.name}: Fixup weights are not supported by the tf.layers blocks, got '${w.name}'`);
      }
    }
    this.layout = layout;
    this.inputSpec = [new tfl.InputSpec({ndim: this.rank, axes: {[this.rank - 1]: c}})];
    this.built = true;
  }

  private addNorm(prefix: string, c: number): NormVars {
    if (this.norm === 'groupNormalization' && c % this.normGroups !== 0) {
      throw new Error(`${this.name}: normGroups (${this.normGroups}) must divide the ${c} channels normalised by ${prefix}`);
    }
    const vars: NormVars = {gamma: null, beta: null, movingMean: null, movingVariance: null};
    for (const w of normWeightSpecs(this.norm, prefix)) {
      const init = w.init === 'ones' ? tfl.initializers.ones() : tfl.initializers.zeros();
      vars[w.key] = this.addWeight(w.name, [c], 'float32', init, undefined, w.trainable);
    }
    return vars;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    // PyTorch-style padding k // 2 with odd k: out = floor((n - 1) / stride) + 1
    const down = (n: number | null) => (n == null ? null : Math.floor((n - 1) / this.stride) + 1);
    return this.rank === 2 ? [s[0], this.outChannels] : [s[0], down(s[1]), down(s[2]), this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: {[key: string]: unknown}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = isTraining(kwargs);
    const act = resolveActivation(this.activation, this.name);
    return tf.tidy(() => {
      const weights: {[name: string]: tf.Tensor} = {};
      for (const [n, v] of Object.entries(this.blockWeights)) weights[n] = v.read();
      const settings = {
        kind: this.norm, epsilon: this.normEpsilon, groups: this.normGroups, momentum: this.normMomentum,
        unbiased: this.runningVarianceConvention === 'pytorch',
      };
      const norm = this.norm === 'none' ? undefined : (h: tf.Tensor, i: number) => blockNormCall(h, this.norms[i], training, settings);
      return residualBlockApply(this.layout!, x, weights, {activation: act, norm, training});
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      activation: this.activation,
      norm: this.norm,
      normGroups: this.normGroups,
      normEpsilon: this.normEpsilon,
      normMomentum: this.normMomentum,
      runningVarianceConvention: this.runningVarianceConvention,
      gate: this.gate as tf.serialization.ConfigDictValue,
      useBias: this.useBias,
      dropPath: this.dropPath,
      layerScale: this.layerScale,
      squeezeExcite: this.squeezeExcite,
      kernelInitializer: serialize(this.inits.kernel),
      biasInitializer: serialize(this.inits.bias),
      kernelRegularizer: serialize(this.regs.kernel),
      biasRegularizer: serialize(this.regs.bias),
      kernelConstraint: serialize(this.cons.kernel),
      biasConstraint: serialize(this.cons.bias),
      ...super.getConfig(),
    };
  }
}
