import * as tf from '@tensorflow/tfjs-core';
import {safeNorm, scaleVerdict, upperMedian as median, type ScaleVerdict} from '@stable-train/grad-clip';
import {resolveLoss, type LossFn, type LossName} from './losses';
import type {Batch, Module} from './types';

/** What the doctor found. */
export type Diagnosis = ScaleVerdict;

/**
 * The doctor: measures per-layer gradient and activation norms at init and over a few gradient
 * evaluations on `batch` (weights unchanged), the per-layer growth of the activations (forward)
 * and of the gradient norm (backward), the loss against chance level and non-finite values,
 * and says in plain words whether the network explodes or vanishes and what to do. The
 * forward check matters: a plain ReLU MLP with N(0, 1) init has near-constant weight-gradient
 * norms across layers (activations grow forward as fast as errors grow backward) while its
 * activations grow ≈ √(fan_in/2)× per layer and its loss is astronomical.
 *
 * ```ts
 * const d = await diagnose(model, {x, y});
 * console.log(d.status, d.verdict);
 * // exploding "activations grow 3.7× per layer (…): exploding forward pass; use He/Glorot init …"
 * ```
 * @param model any module of the DESIGN.md shape (models with `trace` also get activation norms)
 * @param batch a representative batch
 * @param opts `steps` (gradient evaluations on random halves of the batch, default 5), `loss`
 */
export async function diagnose(model: Module, batch: Batch, opts: {steps?: number; loss?: LossName | LossFn} = {}): Promise<Diagnosis> {
  const steps = opts.steps ?? 5;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`diagnose: steps must be an integer >= 1, got ${steps}`);
  if (!batch || !(batch.x instanceof tf.Tensor)) throw new Error('diagnose: batch must be {x, y} tensors');
  const lossName = opts.loss ?? 'softmax_cross_entropy';
  const loss = resolveLoss(lossName);
  const kernels = model.variables.filter((v) => v.trainable && v.rank >= 2);
  if (kernels.length === 0) throw new Error('diagnose: the model has no trainable kernels');
  const n = batch.x.shape[0];
  const perStep: number[][] = [];
  const globals: number[] = [];
  let loss0 = NaN;
  let classes = 0;
  for (let s = 0; s < steps; s++) {
    const norms = tf.tidy(() => {
      // step 0 uses the whole batch; later ones a rotating half, to see the spread
      const half = Math.max(1, Math.floor(n / 2));
      const start = s === 0 ? 0 : (s * 7) % Math.max(1, n - half + 1);
      const size = s === 0 ? n : half;
      const x = tf.slice(batch.x, start, size);
      const y = tf.slice(batch.y, start, size);
      const {value, grads} = tf.variableGrads(() => {
        const out = model.apply(x, {training: true});
        classes = out.shape[out.shape.length - 1] ?? 0;
        return loss(y, out);
      }, model.variables.filter((v) => v.trainable));
      const all = safeNorm(tf.stack(Object.values(grads).map((g) => safeNorm(g))));
      return tf.stack([tf.cast(value, 'float32'), all, ...kernels.map((k) => safeNorm(grads[k.name]))]);
    });
    const d = Array.from(await norms.data());
    norms.dispose();
    if (s === 0) loss0 = d[0];
    globals.push(d[1]);
    perStep.push(d.slice(2));
  }
  const wn = tf.tidy(() => tf.stack(kernels.map((k) => safeNorm(k))));
  const weightNorms = Array.from(await wn.data());
  wn.dispose();
  let activationNorms: number[] = [];
  const traced = (model as {trace?: (x: tf.Tensor) => tf.Tensor[]}).trace;
  if (traced) {
    const rms = (a: tf.Tensor): tf.Tensor => tf.div(safeNorm(a), Math.sqrt(a.shape[0]));
    const t = tf.tidy(() => tf.stack([rms(batch.x), ...traced(batch.x).map(rms)]));
    activationNorms = Array.from(await t.data());
    t.dispose();
  }
  return scaleVerdict({
    layers: kernels.map((k, i) => ({name: k.name, gradNormInit: perStep[0][i], gradNormMedian: median(perStep.map((p) => p[i])), weightNorm: weightNorms[i]})),
    globals, activationNorms, loss: loss0,
    chanceLoss: lossName === 'softmax_cross_entropy' && classes > 1 ? Math.log(classes) : NaN,
  });
}

