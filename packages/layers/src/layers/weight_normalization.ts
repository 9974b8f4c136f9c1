import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types';
import {weightNorm, weightNormKernel} from '@stable-train/regularizers';
import {show} from '../serializable_args';

/** Options of {@link weightNormalization}. */
export interface WeightNormalizationArgs extends LayerArgs {
  /** the layer whose `kernel` is reparametrised (`dense`, `conv1d`, `conv2d`, `conv3d`, ...) */
  layer: tfl.layers.Layer;
  /**
   * the kernel axis that keeps one `g` per entry (default -1: one per output unit in TF.js
   * layouts = PyTorch `dim=0`), or `null` for one norm over the whole kernel (PyTorch `dim=None`)
   */
  axis?: number | null;
}

type KernelLayer = tfl.layers.Layer & {kernel?: tfl.LayerVariable};

/**
 * Weight normalisation as a tf.layers wrapper (Salimans & Kingma 2016,
 * https://arxiv.org/abs/1602.07868): the wrapped layer runs with kernel W = g · v / ‖v‖₂, the
 * norm over every kernel axis but `axis` (`@stable-train/regularizers` `weightNormKernel`).
 * `g` and `v` are trainable weights of this wrapper (`wn_g`, `wn_v`), started as that package's
 * `weightNorm` starts them: v = the wrapped layer's initial kernel, g = its norm, so W starts
 * equal to it. The wrapped layer's own kernel is no longer a weight (neither trained nor saved);
 * its other weights (bias, ...) are. The same in training and inference.
 *
 * Same as PyTorch `torch.nn.utils.weight_norm(module, dim=0)` (Keras-contrib / tfa
 * `WeightNormalization` without data-dependent init), with PyTorch's `[out, in]` translated to
 * TF.js `[in, out]`: PyTorch `dim=0` is `axis: -1` (default), `dim=None` is `axis: null`.
 * PyTorch: https://pytorch.org/docs/1.13/generated/torch.nn.utils.weight_norm.html
 */
export class StableTrainWeightNormalization extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'StableTrainWeightNormalization';
  /** the wrapped layer */
  readonly layer: KernelLayer;
  readonly axis: number | null;
  private g: tfl.LayerVariable | null = null;
  private v: tfl.LayerVariable | null = null;
  private innerKernel: tfl.LayerVariable | null = null;

  constructor(args: WeightNormalizationArgs) {
    const fn = 'weightNormalization';
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new Error(`${fn}: options must be an object with {layer}, got ${show(args)}`);
    if (!(args.layer instanceof tfl.layers.Layer)) throw new Error(`${fn}: layer must be a tf.layers.Layer, got ${show(args.layer)}`);
    const axis = args.axis === undefined ? -1 : args.axis;
    if (axis !== null && (typeof axis !== 'number' || !Number.isInteger(axis))) {
      throw new Error(`${fn}: axis must be an integer or null, got ${show(axis)}`);
    }
    const {layer: _l, axis: _a, ...rest} = args;
    super(rest);
    this.layer = args.layer;
    this.axis = axis;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    if (!this.layer.built) this.layer.build(inputShape);
    this.layer.built = true;
    const kernel = this.layer.kernel;
    if (!(kernel instanceof tfl.LayerVariable)) {
      throw new Error(`weightNormalization: the wrapped layer ${this.layer.name} (${this.layer.getClassName()}) has no kernel to normalise`);
    }
    const rank = kernel.shape.length;
    if (this.axis !== null && (this.axis < -rank || this.axis >= rank)) {
      throw new Error(`weightNormalization: axis must be in [${-rank}, ${rank - 1}] or null for the kernel of shape [${kernel.shape}], got ${this.axis}`);
    }
    // g, v as @stable-train/regularizers' weightNorm makes them from this kernel
    const wn = weightNorm({kernel: kernel.read(), axis: this.axis, name: `${this.name}/wn_init_${Math.random().toString(36).slice(2)}`});
    const zeros = tfl.initializers.zeros();
    this.g = this.addWeight('wn_g', wn.g.shape, 'float32', zeros, undefined, true);
    this.v = this.addWeight('wn_v', wn.v.shape, 'float32', zeros, undefined, true);
    this.g.write(wn.g);
    this.v.write(wn.v);
    wn.dispose();
    this.innerKernel = kernel;
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const kernel = this.innerKernel as tfl.LayerVariable;
      const w = weightNormKernel(this.v!.read(), this.g!.read(), this.axis);
      // the wrapped layer reads its kernel through `kernel.read()`: hand it W for this call
      this.layer.kernel = {read: () => w} as unknown as tfl.LayerVariable;
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

  /** the wrapped layer's trainable weights but its kernel, then g and v */
  override get trainableWeights(): tfl.LayerVariable[] {
    return [...this.layer.trainableWeights.filter((w) => w !== this.innerKernel), ...super.trainableWeights];
  }

  override get nonTrainableWeights(): tfl.LayerVariable[] {
    return [...this.layer.nonTrainableWeights.filter((w) => w !== this.innerKernel), ...super.nonTrainableWeights];
  }

  /** The wrapped layer as `{className, config}` (as Keras' `Wrapper`), and `axis`. */
  override getConfig(): tf.serialization.ConfigDict {
    return {layer: {className: this.layer.getClassName(), config: this.layer.getConfig()}, axis: this.axis, ...super.getConfig()};
  }

  /** Rebuilds the wrapped layer from its `{className, config}` first (as Keras' `Wrapper.fromConfig`). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const {layer, customObjects: _c, ...rest} = config as {layer: {className: string; config: tf.serialization.ConfigDict}} & tf.serialization.ConfigDict;
    const entry = layer && tf.serialization.SerializationMap.getMap().classNameMap[layer.className];
    if (!entry) throw new Error(`weightNormalization.fromConfig: unknown wrapped layer class ${show(layer && layer.className)}`);
    const [layerCls, layerFromConfig] = entry;
    return new cls({...rest, layer: layerFromConfig(layerCls, layer.config)});
  }
}
tf.serialization.registerClass(StableTrainWeightNormalization);

/**
 * Weight normalisation for a tf.layers layer with a kernel (see {@link StableTrainWeightNormalization}).
 *
 * ```ts
 * const model = tf.sequential({layers: [
 *   layers.weightNormalization({layer: tf.layers.dense({units: 8, activation: 'relu'}), inputShape: [4]}),
 *   tf.layers.dense({units: 1}),
 * ]});
 * ```
 * @param args `layer`, `axis` (default -1), and the usual layer options
 */
export function weightNormalization(args: WeightNormalizationArgs): StableTrainWeightNormalization {
  return new StableTrainWeightNormalization(args);
}
