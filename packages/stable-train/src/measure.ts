import * as tf from '@tensorflow/tfjs-core';
import type {GradContext} from '@stable-train/grad-clip';
import {hostSumsOfSquares, sumOfSquares} from './backends/sum_of_squares';
import {allFiniteScalar, batchFinite, safeGlobalNorm, type GradResult} from './compute_grads';
import type {StepStats} from './guard';
import type {Batch} from './types';

/** What `measure` read back: the guard's statistics, and the one measurement of the gradients. */
export interface Measured {
  stats: StepStats;
  /**
   * `{grads, globalNorm, globalNormValue}` for the transforms (the norm is freed with the step), so a
   * global-norm clipper neither measures again nor, knowing the value, computes on the device.
   */
  ctx?: GradContext;
  /** Σg² of each gradient by name (float32 values read back), for the metrics; absent under 'off'. */
  sumSquares?: {[name: string]: number};
}

/**
 * The step's one measurement of its gradients, shared by the guard, the transforms and the metrics:
 * Σg² per gradient and ‖g‖ = sqrt(Σ Σg²), read back with the loss in one host read. On WASM the
 * sums are taken on the host straight from the heap (`hostSumsOfSquares`: one read of each
 * gradient, float64, so finiteness is exact); elsewhere on the device (grad-clip's `globalNorm`
 * arithmetic) and stacked with the loss. Finiteness comes from the same sums: a finite ‖g‖ means
 * every gradient value is finite. Only when the loss or ‖g‖ is not finite is a second read made,
 * to tell a bad input batch (NaN/Infinity in `x` or in float targets) from bad gradients, and
 * finite gradients whose float32 Σg² overflows (a spike, measured with the scaled norm) from NaN.
 * So a batch is looked at only when something went wrong: a batch whose bad values reach neither
 * the loss nor the gradients is trained on. Policy 'zero' reports gradNorm 0 (finite) or NaN, as
 * it makes no spike checks; 'off' reads the loss only.
 * @param policy the guard's policy
 * @param r the step's loss and gradients
 * @param batch the step's batch (examined only on a bad step)
 * @param owned receives tensors made here that live until the end of the step
 */
export async function measure(policy: string, r: GradResult, batch: Batch, owned: Set<tf.Tensor>): Promise<Measured> {
  if (policy === 'off') {
    return {stats: {loss: await lossValue(r.loss), gradNorm: NaN, inputFinite: true, gradFinite: true}};
  }
  const names = Object.keys(r.grads);
  const gs = names.map((n) => r.grads[n]);
  const m = await sumsAndLoss(gs, r.loss, owned);
  const sums: {[name: string]: number} = {};
  names.forEach((n, i) => (sums[n] = m.sums[i]));
  const ctx: GradContext = {grads: r.grads, globalNorm: m.norm, globalNormValue: m.normValue};
  let stats: StepStats = {loss: m.loss, gradNorm: m.normValue, inputFinite: true, gradFinite: true};
  if (!Number.isFinite(m.loss) || !Number.isFinite(m.normValue)) {
    // something is not finite: tell a bad batch from bad gradients (one more read, bad steps only)
    const normOk = Number.isFinite(m.normValue);
    const exact = m.gradFinite !== undefined; // host sums know finiteness exactly (float64: no overflow)
    const d = await readPacked(() => tf.stack([batchFinite(batch), ...(normOk || exact ? [] : [allFiniteScalar(gs), safeGlobalNorm(gs)])]));
    const gradFinite = normOk || (exact ? m.gradFinite! : d[1] === 1);
    const gradNorm = normOk || !gradFinite ? m.normValue : exact ? m.hostNorm : d[2];
    stats = {loss: m.loss, gradNorm, inputFinite: d[0] === 1, gradFinite};
  }
  // 'zero' looks for non-finite values only: no norm is reported (0 when finite, NaN when not)
  if (policy === 'zero') stats.gradNorm = stats.gradFinite ? 0 : NaN;
  return {stats, ctx, sumSquares: sums};
}

/** The loss, Σg² per gradient and ‖g‖ (a device scalar added to `owned`, and its float32 value). */
async function sumsAndLoss(gs: tf.Tensor[], loss: tf.Scalar, owned: Set<tf.Tensor>): Promise<{
  loss: number; sums: number[]; norm: tf.Scalar; normValue: number; hostNorm: number; gradFinite?: boolean;
}> {
  const host = hostSumsOfSquares(gs);
  if (host) {
    // WASM: the sums come from the heap (one read of each gradient), the loss in the one host read
    const total = host.reduce((a, b) => a + b, 0);
    const hostNorm = Math.sqrt(total);
    const normValue = Math.fround(hostNorm);
    const norm = tf.scalar(normValue);
    owned.add(norm);
    const l = await lossValue(loss);
    return {loss: l, sums: host, norm, normValue, hostNorm, gradFinite: Number.isFinite(total)};
  }
  const {parts, norm} = sumSquares(gs);
  owned.add(norm);
  let s: Float32Array;
  try {
    s = await readPacked(() => tf.stack([tf.cast(loss, 'float32'), norm, ...parts]));
  } finally {
    tf.dispose(parts);
  }
  return {loss: s[0], sums: Array.from(s.subarray(2)), norm, normValue: s[1], hostNorm: s[1]};
}

/** Σg² of each tensor (float32; 0 for empty ones) and sqrt of their sum, exactly as grad-clip's `globalNorm` adds them. */
function sumSquares(gs: tf.Tensor[]): {parts: tf.Scalar[]; norm: tf.Scalar} {
  return tf.tidy(() => {
    const parts = gs.map(sumOfSquares);
    const live = parts.filter((_, i) => gs[i].size > 0);
    const total = live.length === 0 ? tf.scalar(0) : live.length === 1 ? live[0] : (tf.addN(live) as tf.Scalar);
    return {parts, norm: tf.sqrt(total) as tf.Scalar};
  });
}

/** The loss read back (one host read; no new tensor when it is float32 already). */
async function lossValue(loss: tf.Scalar): Promise<number> {
  return loss.dtype === 'float32' ? (await loss.data())[0] : (await readPacked(() => tf.cast(loss, 'float32')))[0];
}

/** Runs `make` in a tidy and reads its result back (one host read), freeing it. */
export async function readPacked(make: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(make);
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}
