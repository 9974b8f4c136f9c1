// The engine behind residualDense, residualConv and bottleneck: a pre-activation branch of m
// weight layers, y = shortcut(x) + g * F(x), with optional norms, gate, Fixup and projection.
import * as tf from '@tensorflow/tfjs-core';
import {dropPath} from './drop_path';
import {heUniform} from './he_uniform';
import {layerScaleResidual} from './layer_scale';
import {resolveActivation} from './resolve_activation';
import {squeezeExcite} from './squeeze_excite';
import type {SqueezeExcite} from './squeeze_excite';
import type {ApplyOptions, BlockOptions, Initializer, Module} from './types';
import {checkFreeNames, show} from './validate';
import {zerosInit} from './zeros_init';

/** One weight layer: a dense kernel `[in, out]` or a conv kernel `[h, w, in, out]`. */
export interface LayerSpec {
  label: string; // 'dense1', 'conv2', 'shortcut'
  kernelShape: number[];
  stride: number;
  bias: boolean;
}

export interface BlockSpec {
  where: string; // 'residualDense(block3)', for messages
  opts: BlockOptions;
  alpha0: number | null;
  fixupL: number | null;
  kind: 'dense' | 'conv';
  layers: LayerSpec[];
  shortcut: LayerSpec | null;
}

/** A residual block: a {@link Module} that also reports its name and channel counts. */
export interface ResidualBlock extends Module {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  /** the block's stochastic depth rate (0 = none) */
  readonly dropRate: number;
}

const inOf = (l: LayerSpec) => l.kernelShape[l.kernelShape.length - 2];
const outOf = (l: LayerSpec) => l.kernelShape[l.kernelShape.length - 1];

export function buildResidualBlock(spec: BlockSpec): ResidualBlock {
  const {where, opts, alpha0, fixupL, kind, layers, shortcut} = spec;
  const name = opts.name;
  const m = layers.length;
  const act = resolveActivation(opts.activation, where);
  const kernelInit: Initializer = opts.kernelInit ?? heUniform;
  const biasInit: Initializer = opts.biasInit ?? zerosInit;
  const inChannels = inOf(layers[0]);
  const outChannels = outOf(layers[m - 1]);
  const preAct = opts.preAct ?? true;
  const dropRate = opts.dropPath ?? 0;
  if (opts.squeezeExcite !== undefined && kind !== 'conv') {
    throw new Error(`${where}: squeezeExcite needs a conv block (NHWC), not a dense one`);
  }

  const names: string[] = [];
  for (const l of [...layers, ...(shortcut ? [shortcut] : [])]) {
    names.push(`${name}/${l.label}/kernel`);
    if (l.bias) names.push(`${name}/${l.label}/bias`);
  }
  if (alpha0 !== null) names.push(`${name}/gate/alpha`);
  if (opts.layerScale !== undefined) names.push(`${name}/layer_scale/gamma`);
  if (opts.squeezeExcite !== undefined) names.push(...['fc1/kernel', 'fc1/bias', 'fc2/kernel', 'fc2/bias'].map((n) => `${name}/se/${n}`));
  if (fixupL !== null) {
    for (let i = 1; i <= 2 * m; i++) names.push(`${name}/fixup/bias${i}`);
    names.push(`${name}/fixup/scale`);
  }
  checkFreeNames(where, names);

  const owned: tf.Variable[] = [];
  const norms: Module[] = [];
  const newVar = (vname: string, init: () => tf.Tensor, shape: number[], what: string): tf.Variable => {
    const t = init();
    if (!(t instanceof tf.Tensor) || t.shape.join(',') !== shape.join(',')) {
      const got = t instanceof tf.Tensor ? `shape [${t.shape}]` : show(t);
      if (t instanceof tf.Tensor) t.dispose();
      throw new Error(`${where}: ${what} returned ${got} for '${vname}', expected shape [${shape}]`);
    }
    const v = tf.variable(t.dtype === 'float32' ? t : tf.cast(t, 'float32'), true, vname);
    tf.dispose(t);
    owned.push(v);
    return v;
  };
  const kernels: tf.Variable[] = [];
  const biases: (tf.Variable | null)[] = [];
  let proj: tf.Variable | null = null;
  let alpha: tf.Variable | null = null;
  const fixupBias: tf.Variable[] = [];
  let fixupScale: tf.Variable | null = null;
  let lsGamma: tf.Variable | null = null;
  let se: SqueezeExcite | null = null;

  try {
    // Fixup: every branch layer but the last is scaled by L^(-1/(2m-2)); the last starts at zero.
    const fixupMul = fixupL === null ? 1 : Math.pow(fixupL, -1 / (2 * m - 2));
    layers.forEach((l, i) => {
      const last = i === m - 1;
      if (opts.norm) {
        const nm = `${name}/norm${i + 1}`;
        // pre-activation: the norm sees the layer's input; post-activation: its output
        const mod = opts.norm(preAct ? inOf(l) : outOf(l), nm);
        if (!mod || typeof mod.apply !== 'function' || !Array.isArray(mod.variables) || typeof mod.dispose !== 'function') {
          throw new Error(`${where}: norm factory must return {apply, variables, dispose} for '${nm}', got ${show(mod)}`);
        }
        norms.push(mod);
      }
      const kInit =
        fixupL === null ? () => kernelInit(l.kernelShape)
        : last ? () => tf.zeros(l.kernelShape)
        : () => tf.tidy(() => tf.mul(kernelInit(l.kernelShape), fixupMul));
      kernels.push(newVar(`${name}/${l.label}/kernel`, kInit, l.kernelShape, 'kernelInit'));
      const bShape = [outOf(l)];
      const bInit = fixupL !== null && last ? () => tf.zeros(bShape) : () => biasInit(bShape);
      biases.push(l.bias ? newVar(`${name}/${l.label}/bias`, bInit, bShape, 'biasInit') : null);
    });
    if (shortcut) proj = newVar(`${name}/${shortcut.label}/kernel`, () => kernelInit(shortcut.kernelShape), shortcut.kernelShape, 'kernelInit');
    if (alpha0 !== null) alpha = newVar(`${name}/gate/alpha`, () => tf.scalar(alpha0), [], 'gate');
    if (fixupL !== null) {
      for (let i = 1; i <= 2 * m; i++) fixupBias.push(newVar(`${name}/fixup/bias${i}`, () => tf.scalar(0), [], 'fixup'));
      fixupScale = newVar(`${name}/fixup/scale`, () => tf.scalar(1), [], 'fixup');
    }
    const ls = opts.layerScale;
    if (ls !== undefined) lsGamma = newVar(`${name}/layer_scale/gamma`, () => tf.fill([outChannels], ls), [outChannels], 'layerScale');
    if (opts.squeezeExcite !== undefined) {
      se = squeezeExcite({channels: outChannels, ratio: opts.squeezeExcite, name: `${name}/se`, kernelInit});
    }
  } catch (e) {
    tf.dispose(owned);
    norms.forEach((n) => n.dispose());
    se?.dispose();
    throw e;
  }

  const weightLayer = (h: tf.Tensor, l: LayerSpec, k: tf.Variable, b: tf.Variable | null): tf.Tensor => {
    let out: tf.Tensor;
    if (kind === 'dense') out = tf.matMul(h as tf.Tensor2D, k as tf.Tensor2D);
    else {
      const pad = Math.floor(l.kernelShape[0] / 2); // PyTorch-style symmetric padding k // 2
      out = tf.conv2d(h as tf.Tensor4D, k as tf.Tensor4D, l.stride, pad === 0 ? 'valid' : pad);
    }
    return b ? tf.add(out, b) : out;
  };

  const rank = kind === 'dense' ? 2 : 4;
  const layout = kind === 'dense' ? `[batch, ${inChannels}]` : `[batch, height, width, ${inChannels}]`;
  let disposed = false;

  return {
    name,
    inChannels,
    outChannels,
    dropRate,
    get variables(): tf.Variable[] {
      return [...norms.flatMap((n) => n.variables), ...owned, ...(se ? se.variables : [])];
    },
    apply(x: tf.Tensor, applyOpts: ApplyOptions = {training: false}): tf.Tensor {
      if (disposed) throw new Error(`${where}: apply called after dispose()`);
      if (!(x instanceof tf.Tensor) || x.rank !== rank || x.shape[rank - 1] !== inChannels) {
        const got = x instanceof tf.Tensor ? `shape [${x.shape}]` : show(x);
        throw new Error(`${where}: input must have shape ${layout}, got ${got}`);
      }
      const training = applyOpts?.training === true;
      return tf.tidy(() => {
        let h: tf.Tensor = x;
        let sc: tf.Tensor = x;
        layers.forEach((l, i) => {
          if (!preAct) {
            // post-activation (ResNet v1): W → norm → act, no act after the last norm
            if (i === 0 && shortcut && proj) sc = weightLayer(x, shortcut, proj, null);
            h = weightLayer(h, l, kernels[i], biases[i]);
            if (norms.length) h = norms[i].apply(h, {training});
            if (i < m - 1) h = act(h);
            return;
          }
          if (norms.length) h = norms[i].apply(h, {training});
          if (fixupL !== null) h = tf.add(h, fixupBias[2 * i]);
          h = act(h);
          // projection shortcut sees the pre-activated input (He et al. 2016, timm ResNetV2)
          if (i === 0 && shortcut && proj) sc = weightLayer(h, shortcut, proj, null);
          if (fixupL !== null) h = tf.add(h, fixupBias[2 * i + 1]);
          h = weightLayer(h, l, kernels[i], biases[i]);
        });
        // on the branch, in timm's order: SE, scales (Fixup, LayerScale, gate), then DropPath
        if (se) h = se.apply(h, {training});
        if (fixupScale) h = tf.mul(h, fixupScale);
        if (alpha) h = tf.mul(h, alpha);
        if (dropRate > 0) h = dropPath(h, {rate: dropRate, training});
        const y = lsGamma ? layerScaleResidual(sc, h, lsGamma) : tf.add(sc, h);
        return preAct ? y : act(y);
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      norms.forEach((n) => n.dispose());
      se?.dispose();
      tf.dispose(owned);
    },
  };
}
