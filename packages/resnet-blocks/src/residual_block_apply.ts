// The math of every residual block as a pure function of explicit weights:
// y = shortcut(x) + g * F(x), a pre-activation branch of m weight layers. The modules
// (residualDense, residualConv, bottleneck) call it with their own variables; adapters that keep
// the weights elsewhere (the tf.layers layers of @stable-train/layers) call it with theirs.
import * as tf from '@tensorflow/tfjs-core';
import {dropPath} from './drop_path';
import {layerScaleResidual} from './layer_scale';
import {squeezeExciteApply} from './squeeze_excite';
import {show} from './validate';

/** One weight layer: a dense kernel `[in, out]` or a conv kernel `[h, w, in, out]`. */
export interface LayerSpec {
  /** 'dense1', 'conv2', 'shortcut': the weights are `${label}/kernel`, `${label}/bias` */
  label: string;
  kernelShape: number[];
  stride: number;
  bias: boolean;
}

/** The shape of a block: what {@link residualBlockApply} computes, without the weights. */
export interface BlockLayout {
  kind: 'dense' | 'conv';
  /** the branch's weight layers, in order */
  layers: LayerSpec[];
  /** the bias-free projection shortcut, or null for the identity */
  shortcut: LayerSpec | null;
  /** the gate's initial alpha, or null without a gate */
  alpha0: number | null;
  /** Fixup's L (number of residual branches), or null without Fixup */
  fixupL: number | null;
  /** pre-activation order norm → act → weight (default true); false: post-activation (ResNet v1) W → norm → act, act after the sum */
  preAct?: boolean;
  /** stochastic depth rate of the branch (default 0) */
  dropPath?: number;
  /** LayerScale: a per-channel `layer_scale/gamma [out]` multiplies the branch (default false) */
  layerScale?: boolean;
  /** squeeze-excitation reduction ratio on the branch (conv blocks), weights `se/fc1/kernel`, ... (default null: none) */
  squeezeExciteRatio?: number | null;
}

/** One weight of a block, named as inside the block (`dense1/kernel`, `gate/alpha`, ...). */
export interface BlockWeightSpec {
  name: string;
  shape: number[];
  role: 'kernel' | 'bias' | 'shortcut' | 'alpha' | 'fixupBias' | 'fixupScale' | 'layerScale' | 'squeezeExcite';
  /** index of the branch layer (kernel / bias), else -1 */
  layer: number;
}

/**
 * The weights a block of this layout has, in the modules' variable order (kernels and biases by
 * layer, shortcut, gate alpha, Fixup scalars). Norm weights are not included (the norm owns them).
 * @param layout from `residualDenseSpec` / `residualConvSpec` / `bottleneckSpec`
 */
export function residualBlockWeights(layout: BlockLayout): BlockWeightSpec[] {
  checkLayout('residualBlockWeights', layout);
  const out: BlockWeightSpec[] = [];
  layout.layers.forEach((l, i) => {
    out.push({name: `${l.label}/kernel`, shape: l.kernelShape, role: 'kernel', layer: i});
    if (l.bias) out.push({name: `${l.label}/bias`, shape: [l.kernelShape[l.kernelShape.length - 1]], role: 'bias', layer: i});
  });
  const s = layout.shortcut;
  if (s) out.push({name: `${s.label}/kernel`, shape: s.kernelShape, role: 'shortcut', layer: -1});
  if (layout.alpha0 !== null) out.push({name: 'gate/alpha', shape: [], role: 'alpha', layer: -1});
  if (layout.fixupL !== null) {
    for (let i = 1; i <= 2 * layout.layers.length; i++) out.push({name: `fixup/bias${i}`, shape: [], role: 'fixupBias', layer: -1});
    out.push({name: 'fixup/scale', shape: [], role: 'fixupScale', layer: -1});
  }
  const last = layout.layers[layout.layers.length - 1].kernelShape;
  const c = last[last.length - 1];
  if (layout.layerScale) out.push({name: 'layer_scale/gamma', shape: [c], role: 'layerScale', layer: -1});
  const ratio = layout.squeezeExciteRatio;
  if (ratio !== undefined && ratio !== null) {
    const r = Math.max(1, Math.round(c / ratio)); // as squeezeExcite: max(1, round(C / ratio))
    for (const [n, shape] of [['fc1/kernel', [c, r]], ['fc1/bias', [r]], ['fc2/kernel', [r, c]], ['fc2/bias', [c]]] as const) {
      out.push({name: `se/${n}`, shape: [...shape], role: 'squeezeExcite', layer: -1});
    }
  }
  return out;
}

/** Options of {@link residualBlockApply}. */
export interface BlockApplyOptions {
  /** the element-wise activation (see `resolveActivation`) */
  activation: (x: tf.Tensor) => tf.Tensor;
  /** the i-th norm (norm{i+1}) applied to the i-th branch layer's input; absent = no norm */
  norm?: (h: tf.Tensor, index: number) => tf.Tensor;
  /** training mode: stochastic depth (layout.dropPath) drops branches only when true */
  training?: boolean;
}

/**
 * Pre-activation residual block with explicit weights:
 * y = s(x) + g * F(x), F = layer_m(act(norm_m(... layer_1(act(norm_1(x)))))), s the identity or
 * a bias-free projection of act(norm_1(x)); g the gate alpha (or 1); with Fixup, a scalar bias
 * before each activation and weight layer and a scalar multiplier on the branch. Dense layers
 * are `h @ kernel + bias`; conv layers `conv2d` with PyTorch's symmetric padding floor(k/2).
 * Reference: He et al. 2016, https://arxiv.org/abs/1603.05027
 *
 * ```ts
 * const spec = residualDenseSpec({units: 4, name: 'b', gate: 'rezero'});
 * const y = residualBlockApply(spec, x, weights, {activation: resolveActivation('relu', 'b')});
 * ```
 * @param layout the block's layout (a `*Spec` function's result)
 * @param x input `[batch, in]` (dense) or NHWC `[batch, h, w, in]` (conv); not checked here
 * @param weights tensors by the names {@link residualBlockWeights} lists
 * @param opts activation and norm
 */
export function residualBlockApply(
  layout: BlockLayout,
  x: tf.Tensor,
  weights: {[name: string]: tf.Tensor},
  opts: BlockApplyOptions,
): tf.Tensor {
  const fn = 'residualBlockApply';
  checkLayout(fn, layout);
  const {kind, layers, shortcut, fixupL} = layout;
  const rank = kind === 'dense' ? 2 : 4;
  const k0 = layers[0].kernelShape;
  const inC = k0[k0.length - 2];
  if (!(x instanceof tf.Tensor) || x.isDisposed || x.dtype !== 'float32' || x.rank !== rank || x.shape[rank - 1] !== inC) {
    const want = kind === 'dense' ? `[batch, ${inC}]` : `NHWC [batch, h, w, ${inC}]`;
    throw new Error(`${fn}: x must be a float32 tensor of shape ${want}, got ${show(x)}`);
  }
  if (weights === null || typeof weights !== 'object') throw new Error(`${fn}: weights must be tensors by name, got ${show(weights)}`);
  for (const spec of residualBlockWeights(layout)) {
    const t = weights[spec.name];
    if (!(t instanceof tf.Tensor) || t.isDisposed || t.dtype !== 'float32' || t.shape.join(',') !== spec.shape.join(',')) {
      throw new Error(`${fn}: weights['${spec.name}'] must be a float32 tensor of shape [${spec.shape}], got ${show(t)}`);
    }
  }
  if (opts === null || typeof opts !== 'object' || typeof opts.activation !== 'function') {
    throw new Error(`${fn}: opts.activation must be a function, got ${show(opts?.activation)}`);
  }
  const w = (name: string): tf.Tensor => {
    const t = weights[name];
    if (!(t instanceof tf.Tensor)) throw new Error(`residualBlockApply: weights['${name}'] must be a tensor, got ${show(t)}`);
    return t;
  };
  const weightLayer = (h: tf.Tensor, l: LayerSpec, withBias: boolean): tf.Tensor => {
    const k = w(`${l.label}/kernel`);
    let out: tf.Tensor;
    if (kind === 'dense') out = tf.matMul(h as tf.Tensor2D, k as tf.Tensor2D);
    else {
      const pad = Math.floor(l.kernelShape[0] / 2); // PyTorch-style symmetric padding k // 2
      out = tf.conv2d(h as tf.Tensor4D, k as tf.Tensor4D, l.stride, pad === 0 ? 'valid' : pad);
    }
    return withBias && l.bias ? tf.add(out, w(`${l.label}/bias`)) : out;
  };
  const preAct = layout.preAct ?? true;
  const m = layers.length;
  return tf.tidy(() => {
    let h: tf.Tensor = x;
    let sc: tf.Tensor = x;
    layers.forEach((l, i) => {
      if (!preAct) {
        // post-activation (ResNet v1): W → norm → act, no act after the last norm
        if (i === 0 && shortcut) sc = weightLayer(x, shortcut, false);
        h = weightLayer(h, l, true);
        if (opts.norm) h = opts.norm(h, i);
        if (i < m - 1) h = opts.activation(h);
        return;
      }
      if (opts.norm) h = opts.norm(h, i);
      if (fixupL !== null) h = tf.add(h, w(`fixup/bias${2 * i + 1}`));
      h = opts.activation(h);
      // projection shortcut sees the pre-activated input (He et al. 2016, timm ResNetV2)
      if (i === 0 && shortcut) sc = weightLayer(h, shortcut, false);
      if (fixupL !== null) h = tf.add(h, w(`fixup/bias${2 * i + 2}`));
      h = weightLayer(h, l, true);
    });
    // on the branch, in timm's order: SE, scales (Fixup, gate), then DropPath; LayerScale in the sum
    const ratio = layout.squeezeExciteRatio;
    if (ratio !== undefined && ratio !== null) {
      h = squeezeExciteApply(h, w('se/fc1/kernel'), w('se/fc1/bias'), w('se/fc2/kernel'), w('se/fc2/bias'));
    }
    if (fixupL !== null) h = tf.mul(h, w('fixup/scale'));
    if (layout.alpha0 !== null) h = tf.mul(h, w('gate/alpha'));
    const rate = layout.dropPath ?? 0;
    if (rate > 0) h = dropPath(h, {rate, training: opts.training === true});
    const y = layout.layerScale ? layerScaleResidual(sc, h, w('layer_scale/gamma')) : tf.add(sc, h);
    return preAct ? y : opts.activation(y);
  });
}

/** Throws unless `layout` looks like a `*Spec` function's result (checked before any tensor is made). */
function checkLayout(fn: string, layout: unknown): asserts layout is BlockLayout {
  const l = layout as Partial<BlockLayout> | null;
  const okLayer = (s: unknown): boolean => {
    const x = s as Partial<LayerSpec> | null;
    return x !== null && typeof x === 'object' && typeof x.label === 'string' && Array.isArray(x.kernelShape) && x.kernelShape.length >= 2 &&
      x.kernelShape.every((d) => Number.isInteger(d) && d > 0);
  };
  if (l === null || typeof l !== 'object' || (l.kind !== 'dense' && l.kind !== 'conv') || !Array.isArray(l.layers) || l.layers.length === 0 ||
    !l.layers.every(okLayer) || (l.shortcut != null && !okLayer(l.shortcut))) {
    throw new Error(`${fn}: layout must be a block layout (what residualDenseSpec / residualConvSpec / bottleneckSpec return), got ${show(layout)}`);
  }
}
