// The doctor's verdict for a network at initialisation: the umbrella's `diagnose` (weight-gradient
// growth per layer), next to the playground's own check, which also measures the forward signal
// (activation RMS per layer) — with N(0, 1) init the activations explode while the weight-gradient
// norms stay flat across layers, so gradient growth alone can read "healthy".
import * as tf from '@tensorflow/tfjs-core';
import {diagnose, softmaxCrossEntropy} from 'stable-train';
import type {Net} from './models';

/** What the page shows: the umbrella doctor's verdict and the playground's own check. */
export interface Verdict {
  /** stable-train's `diagnose(model, batch)` verdict and status */
  umbrella: string;
  umbrellaStatus: string;
  /** the playground's check (forward activation growth as well as gradient growth) */
  verdict: string;
  /** ‖∂L/∂W‖ per kernel, input → output (first batch) */
  gradNorms: number[];
  /** geometric mean of ‖g_(l)‖ / ‖g_(l+1)‖: > 1 grows from the head towards the input */
  growth: number;
  /** global gradient norms over the batches, for a clipping threshold */
  globalNorms: number[];
}

type Batch = {x: tf.Tensor; y: tf.Tensor};

/**
 * Diagnoses `net` on `batches` without training it.
 * @param net the network, freshly initialised
 * @param batches a few batches (the first gives the per-layer profile)
 */
export async function doctor(net: Net, batches: Batch[]): Promise<Verdict> {
  const local = await localCheck(net, batches);
  try {
    const d = await diagnose(net, batches[0]);
    return {...local, umbrella: d.verdict, umbrellaStatus: d.status};
  } catch (e) {
    return {...local, umbrella: `stable-train diagnose failed: ${(e as Error).message}`, umbrellaStatus: 'error'};
  }
}

async function localCheck(net: Net, batches: Batch[]): Promise<Omit<Verdict, 'umbrella' | 'umbrellaStatus'>> {
  const vars = net.variables.filter((v) => v.trainable);
  const globalNorms: number[] = [];
  let gradNorms: number[] = [];
  for (const b of batches) {
    const norms = tf.tidy(() => {
      const {grads} = tf.variableGrads(() => softmaxCrossEntropy(b.y, net.apply(b.x, {training: true})), vars);
      const per = net.kernels.map((k) => tf.norm(grads[k.name]));
      const all = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
      return tf.stack([...per, all]);
    });
    const d = Array.from(await norms.data());
    norms.dispose();
    globalNorms.push(d.pop()!);
    if (!gradNorms.length) gradNorms = d;
  }
  // forward signal: RMS of each hidden state on the first batch
  const rmsT = tf.tidy(() => tf.stack(net.hidden(batches[0].x).map((h) => tf.sqrt(tf.mean(tf.square(h))))));
  const rms = Array.from(await rmsT.data());
  rmsT.dispose();
  const g = gradNorms;
  const L = g.length;
  const perLayer = (first: number, last: number, n: number): number => Math.pow(last / first, 1 / Math.max(1, n - 1));
  const actGrowth = perLayer(rms[0], rms[rms.length - 1], rms.length);
  // > 1: the weight gradients grow from the head towards the input
  const growth = perLayer(g[L - 1], g[0], L);
  const sorted = globalNorms.filter(Number.isFinite).sort((a, b) => a - b);
  const p90 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(0.9 * sorted.length))] : NaN;
  const f = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v));
  const facts = `activations ${f(actGrowth)}× per layer (RMS ${f(rms[0])} → ${f(rms[rms.length - 1])}); ` +
    `weight gradients ${f(growth)}× per layer towards the input (${f(g[L - 1])} at the head, ${f(g[0])} at the input); global norm p90 ${f(p90)}`;
  let verdict: string;
  if (![...g, ...rms, p90].every(Number.isFinite)) {
    verdict = `non-finite values at initialisation: the forward pass overflows. Use He init, normalisation or residual gates. (${facts})`;
  } else if (actGrowth > 1.25 || growth > 1.25 || p90 > 1e3) {
    verdict = `exploding: ${facts}. Use He init, normalisation or residual gates, and clip the global norm ` +
      `(the norms seen here are far too large to take as a threshold: start from 1).`;
  } else if (actGrowth < 0.8 || growth < 0.8) {
    verdict = `vanishing: ${facts}. Use He init, residual connections or normalisation.`;
  } else {
    verdict = `healthy: ${facts}. A global-norm clip at ≈ the p90 norm ${f(p90)} only catches spikes.`;
  }
  return {verdict, gradNorms: g, growth, globalNorms};
}
