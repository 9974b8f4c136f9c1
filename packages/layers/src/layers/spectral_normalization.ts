import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types';
import * as st from '@stable-train/regularizers';
import {show} from '../serializable_args';

/** Options of {@link spectralNormalization}. */
export interface SpectralNormalizationArgs extends LayerArgs {
  /** the layer whose `kernel` is normalised (`dense`, `conv1d`, `conv2d`, `conv3d`, ...) */
  layer: tfl.layers.Layer;
  /** power-iteration steps per training call, integer >= 1, default 1 (PyTorch, Keras) */
  powerIterations?: number;
  /** lower bound of a vector norm in the power iteration, > 0, default 1e-12 (PyTorch) */
  eps?: number;
  /** seed of the random start of `u` and `v` */
  seed?: number;
}

type KernelLayer = tfl.layers.Layer & {kernel?: tfl.LayerVariable};

/**
 * Spectral normalisation as a tf.layers wrapper (Miyato et al. 2018,
 * https://arxiv.org/abs/1802.05957): the wrapped layer runs with its kernel divided by an estimate
 * σ of its largest singular value, W₂ = reshape(W, [∏shape[:-1], out]):
 * `v ← normalize(W₂u)`, `u ← normalize(W₂ᵀv)`, σ = vᵀW₂u, kernel used = W/σ. Power iteration and
 * σ come from `@stable-train/regularizers` `spectralNorm` (started from a random draw plus 15
 * iterations on the initial kernel, as PyTorch's parametrization). `u` and `v` are non-trainable
 * weights of this layer (saved with the model): a training call (`fit`) runs `powerIterations`
 * steps and updates them; inference (`predict`) uses them as they are. As in PyTorch and the
 * paper, the gradient flows through σ to W (Keras' `SpectralNormalization` instead overwrites the
 * kernel variable with W/σ).
 *
 * ```ts
 * const sn = spectralNormalization({layer: tf.layers.dense({units: 64}), inputShape: [32]});
 * ```
 */
export class SpectralNormalization extends tfl.layers.Layer {
  static className = 'StableTrainSpectralNormalization';
  /** the wrapped layer */
  readonly layer: KernelLayer;
  private readonly powerIterations: number;
  private readonly eps: number;
  private readonly seed: number | undefined;
  private readonly sn: st.SpectralNorm;
  private u: tfl.LayerVariable | null = null;
  private v: tfl.LayerVariable | null = null;

  constructor(args: SpectralNormalizationArgs) {
    const fn = 'spectralNormalization';
    if (args === null || typeof args !== 'object') throw new Error(`${fn}: options must be an object with {layer}, got ${show(args)}`);
    if (!(args.layer instanceof tfl.layers.Layer)) throw new Error(`${fn}: layer must be a tf.layers.Layer, got ${show(args.layer)}`);
    const powerIterations = args.powerIterations ?? 1;
    if (typeof powerIterations !== 'number' || !Number.isInteger(powerIterations) || powerIterations < 1) {
      throw new Error(`${fn}: powerIterations must be an integer >= 1, got ${show(powerIterations)}`);
    }
    const eps = args.eps ?? 1e-12;
    if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) throw new Error(`${fn}: eps must be a finite number > 0, got ${show(eps)}`);
    super(args);
    this.layer = args.layer;
    this.powerIterations = powerIterations;
    this.eps = eps;
    this.seed = args.seed;
    this.sn = st.spectralNorm({iterations: powerIterations, eps, seed: args.seed});
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    if (!this.layer.built) this.layer.build(inputShape);
    this.layer.built = true;
    const kernel = this.layer.kernel;
    if (!(kernel instanceof tfl.LayerVariable)) {
      throw new Error(`spectralNormalization: the wrapped layer ${this.layer.name} (${this.layer.getClassName()}) has no kernel to normalise`);
    }
    // start u, v as the technique does (random + initial iterations on this kernel), keep them as weights
    tf.dispose(this.sn.sigma(kernel.read()));
    const state = this.sn.getState() as st.SpectralNormState;
    const zeros = tfl.initializers.zeros();
    this.u = this.addWeight('sn_u', state.u.shape, 'float32', zeros, undefined, false);
    this.v = this.addWeight('sn_v', state.v.shape, 'float32', zeros, undefined, false);
    this.u.write(state.u);
    this.v.write(state.v);
    tf.dispose([state.u, state.v]);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const training = kwargs['training'] === true;
      const kernel = this.layer.kernel as tfl.LayerVariable;
      const u = this.u as tfl.LayerVariable;
      const v = this.v as tfl.LayerVariable;
      this.sn.setState({u: u.read() as tf.Tensor1D, v: v.read() as tf.Tensor1D});
      const normalized = this.sn.apply(kernel.read(), {training});
      if (training) {
        const s = this.sn.getState() as st.SpectralNormState;
        u.write(s.u);
        v.write(s.v);
      }
      // the wrapped layer reads its kernel through `kernel.read()`: hand it W/σ for this call
      this.layer.kernel = {read: () => normalized} as unknown as tfl.LayerVariable;
      try {
        return this.layer.call(inputs, kwargs);
      } finally {
        this.layer.kernel = kernel;
      }
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return this.layer.computeOutputShape(inputShape);
  }

  override get trainableWeights(): tfl.LayerVariable[] {
    return [...this.layer.trainableWeights, ...super.trainableWeights];
  }

  override get nonTrainableWeights(): tfl.LayerVariable[] {
    return [...this.layer.nonTrainableWeights, ...super.nonTrainableWeights];
  }

  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    const r = super.dispose();
    if (r.refCountAfterDispose === 0) this.sn.dispose();
    return r;
  }

  /** The wrapped layer as `{className, config}` (as Keras' `Wrapper`), and the options. */
  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      layer: {className: this.layer.getClassName(), config: this.layer.getConfig()},
      powerIterations: this.powerIterations,
      eps: this.eps,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return {...config, ...super.getConfig()};
  }

  /** Rebuilds the wrapped layer from its `{className, config}` first (as Keras' `Wrapper.fromConfig`). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const {layer, customObjects: _c, ...rest} = config as {layer: {className: string; config: tf.serialization.ConfigDict}} & tf.serialization.ConfigDict;
    const entry = layer && tf.serialization.SerializationMap.getMap().classNameMap[layer.className];
    if (!entry) throw new Error(`spectralNormalization.fromConfig: unknown wrapped layer class ${show(layer && layer.className)}`);
    const [layerCls, layerFromConfig] = entry;
    return new cls({...rest, layer: layerFromConfig(layerCls, layer.config)});
  }
}
tf.serialization.registerClass(SpectralNormalization);

/**
 * `tf.sequential({layers: [spectralNormalization({layer: tf.layers.dense({units: 8}), inputShape: [4]})]})`.
 * @param args see {@link SpectralNormalizationArgs}
 */
export function spectralNormalization(args: SpectralNormalizationArgs): SpectralNormalization {
  return new SpectralNormalization(args);
}
