import * as tf from '@tensorflow/tfjs-core';
import {heUniform} from './he_uniform';
import type {ApplyOptions, Initializer, Module} from './types';
import {checkFreeNames, checkInt, checkSize, show} from './validate';

/**
 * Squeeze-and-excitation, NHWC: s = mean over H, W of x (`[N, C]`); e = sigmoid(relu(s·W1 + b1)·W2 + b2);
 * y = x ⊙ e (broadcast over H, W). The functional form of {@link squeezeExcite}; differentiable in
 * every argument (the gradient w.r.t. x flows through both the product and the pooled mean).
 *
 * Same as Hu et al.'s SE block and timm `SEModule` (1×1 convs on the pooled map = dense layers here,
 * kernels `[C, C/r]`, `[C/r, C]` in TF.js layout).
 * Reference: Hu, Shen & Sun 2018, "Squeeze-and-Excitation Networks", https://arxiv.org/abs/1709.01507
 *
 * ```ts
 * const y = squeezeExciteApply(x, w1, b1, w2, b2); // x [N, H, W, C], w1 [C, C/r], w2 [C/r, C]
 * ```
 * @param x NHWC input `[N, H, W, C]`
 * @param w1 reduce kernel `[C, R]`
 * @param b1 reduce bias `[R]`
 * @param w2 expand kernel `[R, C]`
 * @param b2 expand bias `[C]`
 * @returns x scaled per (sample, channel), a new tensor
 */
export function squeezeExciteApply(x: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor): tf.Tensor {
  const fn = 'squeezeExciteApply';
  for (const [arg, t] of [['x', x], ['w1', w1], ['b1', b1], ['w2', w2], ['b2', b2]] as const) {
    if (!(t instanceof tf.Tensor) || t.isDisposed) throw new Error(`${fn}: ${arg} must be a live tf.Tensor, got ${show(t)}`);
  }
  if (x.rank !== 4) throw new Error(`${fn}: x must be NHWC [N, H, W, C], got shape [${x.shape}]`);
  const c = x.shape[3] as number;
  const r = w1.rank === 2 ? (w1.shape[1] as number) : -1;
  const want: [string, tf.Tensor, number[]][] = [['w1', w1, [c, r]], ['b1', b1, [r]], ['w2', w2, [r, c]], ['b2', b2, [c]]];
  for (const [arg, t, s] of want) {
    if (t.shape.join(',') !== s.join(',')) throw new Error(`${fn}: ${arg} must have shape [${s}] for C = ${c}, got [${t.shape}]`);
  }
  return tf.tidy(() => {
    const s = tf.mean(x, [1, 2]) as tf.Tensor2D; // squeeze: [N, C]
    const a = tf.relu(tf.add(tf.matMul(s, w1 as tf.Tensor2D), b1));
    const e = tf.sigmoid(tf.add(tf.matMul(a, w2 as tf.Tensor2D), b2)); // excitation: [N, C]
    return tf.mul(x, tf.reshape(e, [x.shape[0], 1, 1, c]));
  });
}

const used = {n: 0};
/** `squeeze_excite`, `squeeze_excite_1`, ... skipping names whose variables exist. */
function defaultName(): string {
  for (;;) {
    const k = used.n++;
    const name = k === 0 ? 'squeeze_excite' : `squeeze_excite_${k}`;
    if (tf.engine().registeredVariables[`${name}/fc1/kernel`] === undefined) return name;
  }
}

/** Options of {@link squeezeExcite}. */
export interface SqueezeExciteOptions {
  /** channels C of the NHWC input */
  channels: number;
  /** reduction ratio r: the bottleneck has max(1, round(C / r)) units (default 16, as Hu et al.) */
  ratio?: number;
  /** variable prefix: `${name}/fc1/kernel`, `/fc1/bias`, `/fc2/kernel`, `/fc2/bias` (default `squeeze_excite`, `squeeze_excite_1`, ...) */
  name?: string;
  /** kernel initialiser, default He uniform; biases start at zero */
  kernelInit?: Initializer;
}

/** A squeeze-excitation module. */
export interface SqueezeExcite extends Module {
  readonly name: string;
  readonly channels: number;
  /** bottleneck width max(1, round(C / ratio)) */
  readonly reduced: number;
  /** copies of the variables keyed by name (for checkpoints) */
  getState(): tf.NamedTensorMap;
  /** restores what `getState` returned */
  setState(state: tf.NamedTensorMap): void;
}

/**
 * Squeeze-and-excitation block (Hu et al. 2018) as a module: channel attention
 * y = x ⊙ sigmoid(W2ᵀ relu(W1ᵀ mean_{H,W}(x) + b1) + b2) ({@link squeezeExciteApply}), with
 * trainable `${name}/fc1/kernel [C, R]`, `${name}/fc1/bias [R]`, `${name}/fc2/kernel [R, C]`,
 * `${name}/fc2/bias [C]`, R = max(1, round(C / ratio)).
 *
 * Same as timm `SEModule(channels, rd_ratio=1/ratio)` with plain rounding instead of timm's
 * divisible-by-8 rounding. Reference: Hu, Shen & Sun 2018, https://arxiv.org/abs/1709.01507
 *
 * ```ts
 * const se = squeezeExcite({channels: 64, ratio: 16, name: 'block2/se'});
 * const y = se.apply(x, {training: true}); // x [N, H, W, 64]
 * ```
 * @param opts `channels`, `ratio`, `name`, `kernelInit`
 */
export function squeezeExcite(opts: SqueezeExciteOptions): SqueezeExcite {
  const fn = 'squeezeExcite';
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: options must be an object, got ${show(opts)}`);
  const channels = checkInt(fn, 'channels', opts.channels);
  const ratio = opts.ratio ?? 16;
  // a reduction ratio: below 1 the hidden layer would grow (5e-324 gives Infinity units)
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 1) throw new Error(`${fn}: ratio must be a finite number >= 1, got ${show(ratio)}`);
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length === 0)) {
    throw new Error(`${fn}: name must be a non-empty string, got ${show(opts.name)}`);
  }
  const init = opts.kernelInit ?? heUniform;
  if (typeof init !== 'function') throw new Error(`${fn}: kernelInit must be a function, got ${show(init)}`);
  const name = opts.name ?? defaultName();
  const reduced = Math.max(1, Math.round(channels / ratio));
  const specs: [string, number[], boolean][] = [
    ['fc1/kernel', [channels, reduced], true], ['fc1/bias', [reduced], false],
    ['fc2/kernel', [reduced, channels], true], ['fc2/bias', [channels], false],
  ];
  for (const [n, shape] of specs) checkSize(fn, shape, `channels (weight '${n}')`);
  checkFreeNames(fn, specs.map(([n]) => `${name}/${n}`));
  const vars: tf.Variable[] = [];
  try {
    for (const [n, shape, kernel] of specs) {
      const t = kernel ? init(shape) : tf.zeros(shape);
      if (!(t instanceof tf.Tensor) || t.shape.join(',') !== shape.join(',')) {
        if (t instanceof tf.Tensor) t.dispose();
        throw new Error(`${fn}: kernelInit must return a tensor of shape [${shape}] for '${name}/${n}', got ${show(t)}`);
      }
      // tf.variable keeps its own reference to t's data: free t (and a cast copy) after
      const f32 = t.dtype === 'float32' ? t : tf.cast(t, 'float32');
      vars.push(tf.variable(f32, true, `${name}/${n}`));
      tf.dispose([t, f32]);
    }
  } catch (e) {
    tf.dispose(vars);
    throw e;
  }
  let disposed = false;
  const live = (where: string) => {
    if (disposed) throw new Error(`${fn} '${name}'.${where}: called after dispose()`);
  };
  return {
    name,
    channels,
    reduced,
    variables: vars,
    apply(x: tf.Tensor, _opts?: ApplyOptions): tf.Tensor {
      live('apply');
      if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[3] !== channels) {
        throw new Error(`${fn} '${name}'.apply: x must be NHWC [N, H, W, ${channels}], got ${x instanceof tf.Tensor ? `shape [${x.shape}]` : show(x)}`);
      }
      return squeezeExciteApply(x, vars[0], vars[1], vars[2], vars[3]);
    },
    getState: () => {
      live('getState');
      return Object.fromEntries(vars.map((v) => [v.name, tf.clone(v)]));
    },
    setState: (state: tf.NamedTensorMap) => {
      live('setState');
      for (const v of vars) {
        const t = state?.[v.name];
        if (!(t instanceof tf.Tensor) || t.shape.join(',') !== v.shape.join(',')) {
          throw new Error(`${fn} '${name}'.setState: '${v.name}' must be a tensor of shape [${v.shape}], got ${t instanceof tf.Tensor ? `[${t.shape}]` : show(t)}`);
        }
      }
      tf.tidy(() => vars.forEach((v) => v.assign(tf.cast(state[v.name], 'float32'))));
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      tf.dispose(vars);
    },
  };
}
