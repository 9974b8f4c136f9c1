// The engine behind residualDense, residualConv and bottleneck: a pre-activation branch of m
// weight layers, y = shortcut(x) + g * F(x), with optional norms, gate, Fixup and projection.
import * as tf from '@tensorflow/tfjs-core';
import {heUniform} from './he_uniform';
import {resolveActivation} from './resolve_activation';
import {squeezeExcite} from './squeeze_excite';
import type {SqueezeExcite} from './squeeze_excite';
import {residualBlockApply, residualBlockWeights} from './residual_block_apply';
import type {BlockLayout, LayerSpec} from './residual_block_apply';
import type {ApplyOptions, BlockOptions, Initializer, Module} from './types';
import {checkFreeNames, checkSize, show} from './validate';
import {zerosInit} from './zeros_init';

export type {LayerSpec} from './residual_block_apply';

/** A block's layout plus its options and the caller's name for messages (`*Spec` functions). */
export interface BlockSpec extends BlockLayout {
  /** 'residualDense(block3)', for messages */
  where: string;
  opts: BlockOptions;
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
    throw new Error(`${where}: squeezeExcite must be left out of a dense block (it needs NHWC conv blocks), got ${show(opts.squeezeExcite)}`);
  }

  const blockLayout: BlockLayout = {
    kind, layers, shortcut, alpha0, fixupL, preAct, dropPath: dropRate,
    layerScale: opts.layerScale !== undefined,
    squeezeExciteRatio: opts.squeezeExcite ?? null,
  };
  // sizes first (units · expansion may be beyond any allocation, even Infinity)
  for (const l of shortcut ? [...layers, shortcut] : layers) checkSize(where, l.kernelShape, `weight '${l.label}/kernel'`);
  const weightSpecs = residualBlockWeights(blockLayout);
  const names = weightSpecs.map((wt) => `${name}/${wt.name}`);
  checkFreeNames(where, names);

  const owned: tf.Variable[] = [];
  const norms: Module[] = [];
  const newVar = (vname: string, init: () => tf.Tensor, shape: number[], what: string): tf.Variable => {
    const t = init();
    if (!(t instanceof tf.Tensor) || t.shape.join(',') !== shape.join(',')) {
      const got = t instanceof tf.Tensor ? `shape [${t.shape}]` : show(t);
      if (t instanceof tf.Tensor) t.dispose();
      throw new Error(`${where}: ${what} must return a tensor of shape [${shape}] for '${vname}', got ${got}`);
    }
    // tf.variable keeps its own reference to the data: free t and, for a non-float32 t, its cast
    const f32 = t.dtype === 'float32' ? t : tf.cast(t, 'float32');
    const v = tf.variable(f32, true, vname);
    tf.dispose([t, f32]);
    owned.push(v);
    return v;
  };
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
      newVar(`${name}/${l.label}/kernel`, kInit, l.kernelShape, 'kernelInit');
      const bShape = [outOf(l)];
      const bInit = fixupL !== null && last ? () => tf.zeros(bShape) : () => biasInit(bShape);
      if (l.bias) newVar(`${name}/${l.label}/bias`, bInit, bShape, 'biasInit');
    });
    if (shortcut) newVar(`${name}/${shortcut.label}/kernel`, () => kernelInit(shortcut.kernelShape), shortcut.kernelShape, 'kernelInit');
    if (alpha0 !== null) newVar(`${name}/gate/alpha`, () => tf.scalar(alpha0), [], 'gate');
    if (fixupL !== null) {
      for (let i = 1; i <= 2 * m; i++) newVar(`${name}/fixup/bias${i}`, () => tf.scalar(0), [], 'fixup');
      newVar(`${name}/fixup/scale`, () => tf.scalar(1), [], 'fixup');
    }
    const ls = opts.layerScale;
    if (ls !== undefined) newVar(`${name}/layer_scale/gamma`, () => tf.fill([outChannels], ls), [outChannels], 'layerScale');
    if (opts.squeezeExcite !== undefined) {
      se = squeezeExcite({channels: outChannels, ratio: opts.squeezeExcite, name: `${name}/se`, kernelInit});
    }
  } catch (e) {
    tf.dispose(owned);
    norms.forEach((n) => n.dispose());
    se?.dispose();
    throw e;
  }

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
      if (!(x instanceof tf.Tensor) || x.isDisposed || x.dtype !== 'float32' || x.rank !== rank || x.shape[rank - 1] !== inChannels) {
        throw new Error(`${where}: input must be a float32 tensor of shape ${layout}, got ${show(x)}`);
      }
      if (applyOpts === null || typeof applyOpts !== 'object' || (applyOpts.training !== undefined && typeof applyOpts.training !== 'boolean')) {
        throw new Error(`${where}: opts must be {training: true or false}, got ${show(applyOpts)}`);
      }
      const training = applyOpts.training === true;
      const weights: {[n: string]: tf.Tensor} = {};
      for (const v of [...owned, ...(se ? se.variables : [])]) weights[v.name.slice(name.length + 1)] = v;
      const norm = norms.length ? (h: tf.Tensor, i: number) => norms[i].apply(h, {training}) : undefined;
      return residualBlockApply(blockLayout, x, weights, {activation: act, norm, training});
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
