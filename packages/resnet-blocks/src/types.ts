import type * as tf from '@tensorflow/tfjs-core';

/** Options every module's `apply` takes: `training` switches norms to batch statistics. */
export interface ApplyOptions {
  training: boolean;
}

/**
 * The module shape of DESIGN.md: `apply(x, {training})`, every variable it owns (trainable and
 * non-trainable, told apart by `Variable.trainable`), and `dispose()`.
 */
export interface Module {
  apply(x: tf.Tensor, opts: ApplyOptions): tf.Tensor;
  readonly variables: tf.Variable[];
  dispose(): void;
}

/**
 * Builds a normalisation module over `channels` features (the last axis), naming its variables
 * under `name` (e.g. `block3/norm1/gamma`). `@stable-train/batchnorm` provides factories of this
 * shape; any object with `apply(x, {training})`, `variables` and `dispose()` works.
 */
export type NormFactory = (channels: number, name: string) => Module;

/** Returns a fresh tensor of exactly `shape` (kernel `[in, out]` / `[h, w, in, out]`, bias `[out]`). */
export type Initializer = (shape: number[]) => tf.Tensor;

/** Element-wise activations understood by name. */
export type ActivationName = 'relu' | 'relu6' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'linear';

/** An activation by name, or any element-wise function of a tensor. */
export type Activation = ActivationName | ((x: tf.Tensor) => tf.Tensor);

/**
 * Residual gate on the branch: `y = shortcut + alpha * F(x)` with a learned scalar `alpha`.
 * `'rezero'` and `'skipinit'` start at alpha = 0; `{init}` picks the start value; `'none'` has no gate.
 */
export type Gate = 'none' | 'rezero' | 'skipinit' | {init: number};

/** Fixup (Zhang et al. 2019): `numBlocks` is L, the number of residual branches in the network. */
export interface FixupOptions {
  numBlocks: number;
}

/** Options shared by every block. */
export interface BlockOptions {
  /** prefix of every variable name, e.g. `block3` gives `block3/dense1/kernel` */
  name: string;
  /** normalisation factory; absent = no normalisation */
  norm?: NormFactory;
  /** activation, default `'relu'` */
  activation?: Activation;
  /** residual gate, default `'none'` */
  gate?: Gate;
  /** Fixup initialisation and scalar biases/multiplier; cannot be combined with `norm` or a gate */
  fixup?: FixupOptions;
  /** kernel initialiser, default {@link heUniform} */
  kernelInit?: Initializer;
  /** bias initialiser, default {@link zerosInit} */
  biasInit?: Initializer;
  /** whether the branch's layers have biases, default true */
  useBias?: boolean;
  /**
   * true (default): pre-activation block, F(x) = W2(act(norm2(W1(act(norm1(x)))))), y = s(x) + F(x)
   * (He et al. 2016 "Identity Mappings", timm `PreActBasic`). false: the original post-activation
   * block, F(x) = norm2(W2(act(norm1(W1(x))))), y = act(s(x) + F(x)) (torchvision `BasicBlock`;
   * the norms then sit after each weight layer; no Fixup).
   */
  preAct?: boolean;
  /**
   * stochastic depth rate in [0, 1] (default 0): in training each sample's branch is dropped with
   * this probability and the kept ones scaled by 1/(1 − rate) ({@link dropPath}); identity in inference
   */
  dropPath?: number;
  /** LayerScale initial value: a learned per-channel γ on the branch, `${name}/layer_scale/gamma` (CaiT; e.g. 1e-5) */
  layerScale?: number;
  /** squeeze-excitation ratio r on the branch output (conv blocks only), variables under `${name}/se/` (Hu et al. 2018) */
  squeezeExcite?: number;
}
