import * as tf from '@tensorflow/tfjs-core';
import {checkIntegerIn, checkOptions, checkPositive, show} from './validate';

/** Options of {@link spectralNorm}. */
export interface SpectralNormOptions {
  /** power iterations per training-mode `apply`, integer >= 1, default 1 (PyTorch) */
  iterations?: number;
  /** lower bound of a vector norm in the power iteration, default 1e-12 (PyTorch) */
  eps?: number;
  /** power iterations run once when the state is created, default 15 (PyTorch parametrizations) */
  initIterations?: number;
  /** seed of the random initial `u` and `v` (tf.randomNormal), default unseeded */
  seed?: number;
}

/** The power-iteration state: `u` (size out) and `v` (size prod(shape[:-1])). */
export interface SpectralNormState {
  u: tf.Tensor1D;
  v: tf.Tensor1D;
}

/** A spectral normaliser for ONE kernel: keep one per kernel. */
export interface SpectralNorm {
  /**
   * Returns `W / σ` (same shape as `kernel`). In training mode (default) first runs
   * `iterations` power-iteration steps and stores the new `u`, `v` (no gradient flows through
   * them); `σ = vᵀ W₂ u` is differentiated through `W`. In eval mode uses the stored vectors.
   */
  apply(kernel: tf.Tensor, opts?: {training?: boolean}): tf.Tensor;
  /** The current estimate `σ = vᵀ W₂ u` (a scalar tensor); no iteration (state created on first use). */
  sigma(kernel: tf.Tensor): tf.Scalar;
  /** Copies of `u` and `v` (the caller disposes them), or `null` before the first use. */
  getState(): SpectralNormState | null;
  /** Restores `u`, `v` (copied; sizes must match the kernel this normaliser serves). */
  setState(state: SpectralNormState): void;
  /** The persistent state variables (non-trainable), empty before the first use. */
  readonly variables: tf.Variable[];
  /** Frees the state. */
  dispose(): void;
}

/**
 * Spectral normalisation (Miyato et al. 2018, https://arxiv.org/abs/1802.05957): divides a
 * kernel by an estimate of its largest singular value, so the layer is (about) 1-Lipschitz —
 * a direct brake on exploding activations and gradients.
 *
 * Kernels in TF.js layout are viewed as `W₂ = reshape(W, [prod(shape[:-1]), out])`. One power
 * iteration (PyTorch `torch.nn.utils.spectral_norm`, with its `weight_mat = W₂ᵀ`):
 * `v ← normalize(W₂ u)`, `u ← normalize(W₂ᵀ v)`, where `normalize(x) = x / max(‖x‖, eps)`;
 * then `σ = vᵀ W₂ u` and the output is `W / σ`. As in PyTorch's training mode, the update of `u`
 * and `v` is outside the gradient and `σ` is differentiated through `W` only. `u`, `v` live on
 * device in non-trainable `tf.Variable`s created on first use (random normal, then
 * `initIterations` iterations, as `torch.nn.utils.parametrizations.spectral_norm` does at
 * registration).
 *
 * ```ts
 * const sn = spectralNorm({iterations: 1});
 * const y = tf.matMul(x, sn.apply(kernel, {training: true}));
 * // checkpoint: const {u, v} = sn.getState()!; ... sn.setState({u, v});
 * ```
 * @param opts `iterations`, `eps` (in (0, 1e-3]), `initIterations`, `seed`
 */
/** Most power iterations per call (PyTorch uses 1 per step and 15 at creation). */
const MAX_ITERATIONS = 10_000;

export function spectralNorm(opts: SpectralNormOptions = {}): SpectralNorm {
  const fn = 'spectralNorm';
  checkOptions(fn, 'opts', opts, ['iterations', 'eps', 'initIterations', 'seed']);
  // bounded: each iteration is two matrix-vector products per apply (2^31 would never return)
  const iterations = checkIntegerIn(fn, 'iterations', opts.iterations ?? 1, 1, MAX_ITERATIONS);
  const eps = checkPositive(fn, 'eps', opts.eps ?? 1e-12);
  // eps floors the norms of u and v: a large one shrinks them, σ = vᵀWu with them, and W / σ blows up
  if (eps > 1e-3) throw new Error(`${fn}: eps must be a number in (0, 1e-3] (a floor for vector norms), got ${show(eps)}`);
  const initIterations = checkIntegerIn(fn, 'initIterations', opts.initIterations ?? 15, 0, MAX_ITERATIONS);
  if (opts.seed !== undefined && (typeof opts.seed !== 'number' || !Number.isFinite(opts.seed))) {
    throw new Error(`${fn}: seed must be a finite number, got ${show(opts.seed)}`);
  }
  let u: tf.Variable<tf.Rank.R1> | null = null;
  let v: tf.Variable<tf.Rank.R1> | null = null;
  let disposed = false;

  const dims = (k: tf.Tensor): [number, number] => [k.size / k.shape[k.rank - 1], k.shape[k.rank - 1]];
  const checkKernel = (where: string, k: unknown): void => {
    if (disposed) throw new Error(`${fn}.${where}: this spectral normaliser was disposed`);
    if (!(k instanceof tf.Tensor)) throw new Error(`${fn}.${where}: kernel must be a tf.Tensor, got ${show(k)}`);
    if (k.rank < 2) throw new Error(`${fn}.${where}: kernel must have rank >= 2, got shape [${k.shape}]`);
    if (u && v && (v.size !== dims(k)[0] || u.size !== dims(k)[1])) {
      throw new Error(
        `${fn}.${where}: kernel must match the state (v [${v.size}], u [${u.size}]), got shape [${k.shape}] (as [${dims(k)}])`,
      );
    }
  };
  const normalize = (x: tf.Tensor): tf.Tensor => tf.div(x, tf.maximum(tf.norm(x), eps));
  // one power-iteration step on W2 [m, n]; explicit transposes (fast on wasm, NOTES-tfjs.md)
  const step = (w2: tf.Tensor2D, uu: tf.Tensor, n: number, m: number): [tf.Tensor, tf.Tensor] => {
    const vv = normalize(tf.reshape(tf.matMul(w2, tf.reshape(uu, [n, 1])), [m]));
    const un = normalize(tf.reshape(tf.matMul(tf.reshape(vv, [1, m]), w2), [n]));
    return [un, vv];
  };
  const iterate = (w2: tf.Tensor2D, count: number): void => {
    const [m, n] = w2.shape;
    tf.tidy(() => {
      let uu: tf.Tensor = u!;
      let vv: tf.Tensor = v!;
      for (let i = 0; i < count; i++) [uu, vv] = step(w2, uu, n, m);
      if (count > 0) {
        u!.assign(uu as tf.Tensor1D);
        v!.assign(vv as tf.Tensor1D);
      }
    });
  };
  const ensureState = (k: tf.Tensor): void => {
    if (u && v) return;
    const [m, n] = dims(k);
    const seed = opts.seed;
    tf.tidy(() => {
      u = tf.variable(normalize(tf.randomNormal([n], 0, 1, 'float32', seed)) as tf.Tensor1D, false);
      v = tf.variable(normalize(tf.randomNormal([m], 0, 1, 'float32', seed === undefined ? undefined : seed + 1)) as tf.Tensor1D, false);
    });
    tf.tidy(() => iterate(tf.reshape(k, [m, n]), initIterations));
  };
  const sigmaOf = (w2: tf.Tensor2D): tf.Scalar =>
    tf.sum(tf.mul(tf.matMul(tf.reshape(v!, [1, w2.shape[0]]), w2), tf.reshape(u!, [1, w2.shape[1]])));

  return {
    apply(kernel: tf.Tensor, o: {training?: boolean} = {}): tf.Tensor {
      checkKernel('apply', kernel);
      checkOptions(`${fn}.apply`, 'opts', o, ['training']);
      const training = o.training ?? true;
      if (typeof training !== 'boolean') throw new Error(`${fn}.apply: training must be a boolean, got ${show(training)}`);
      ensureState(kernel);
      return tf.tidy(() => {
        const w2 = tf.reshape(kernel, dims(kernel)) as tf.Tensor2D;
        // u, v are assigned (not chained) so the tape cannot reach W through them: stop-gradient
        if (training) iterate(w2, iterations);
        return tf.div(kernel, sigmaOf(w2));
      });
    },
    sigma(kernel: tf.Tensor): tf.Scalar {
      checkKernel('sigma', kernel);
      ensureState(kernel);
      return tf.tidy(() => sigmaOf(tf.reshape(kernel, dims(kernel)) as tf.Tensor2D));
    },
    getState(): SpectralNormState | null {
      if (disposed) throw new Error(`${fn}.getState: this spectral normaliser was disposed`);
      return u && v ? {u: tf.clone(u as tf.Tensor1D), v: tf.clone(v as tf.Tensor1D)} : null;
    },
    setState(state: SpectralNormState): void {
      if (disposed) throw new Error(`${fn}.setState: this spectral normaliser was disposed`);
      const ok = (t: unknown): t is tf.Tensor1D => t instanceof tf.Tensor && t.rank === 1 && t.dtype === 'float32';
      if (!state || !ok(state.u) || !ok(state.v)) {
        throw new Error(`${fn}.setState: state must be {u, v} with 1-D float32 tensors, got ${show(state)}`);
      }
      if (u && v && (u.size !== state.u.size || v.size !== state.v.size)) {
        throw new Error(`${fn}.setState: state.u and state.v must have sizes ${u.size} and ${v.size}, got ${state.u.size} and ${state.v.size}`);
      }
      if (u && v) {
        u.assign(state.u);
        v.assign(state.v);
      } else {
        // a variable shares the data of its initial value (ref-counted): no copy, no leak
        u = tf.variable(state.u, false);
        v = tf.variable(state.v, false);
      }
    },
    get variables(): tf.Variable[] {
      return u && v ? [u, v] : [];
    },
    dispose(): void {
      u?.dispose();
      v?.dispose();
      u = v = null;
      disposed = true;
    },
  };
}
