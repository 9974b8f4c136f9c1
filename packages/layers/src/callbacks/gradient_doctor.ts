import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {safeNorm, scaleVerdict, type ScaleVerdict} from '@stable-train/grad-clip';
import {checkOptions, fitModel, numberIn} from './logs';

/** Options of {@link gradientDoctor}. */
export interface GradientDoctorOptions {
  /** a representative input batch */
  x: tf.Tensor;
  /** its targets */
  y: tf.Tensor;
  /** diagnose before training and after every `every`-th epoch, integer >= 1 (default 1) */
  every?: number;
  /** print the table and verdict (default true) */
  print?: boolean;
}

/** One diagnosis: grad-clip's `ScaleVerdict` plus when it was made and the per-layer activation names. */
export interface GradientReport extends ScaleVerdict {
  /** -1: before training; else the epoch just ended */
  epoch: number;
  /** the layer whose output each `activationNorms` entry (after the input's) measures */
  activationLayers: string[];
}

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** See {@link gradientDoctor}. */
export class GradientDoctor extends tfl.Callback {
  private readonly x: tf.Tensor;
  private readonly y: tf.Tensor;
  private readonly every: number;
  private readonly print: boolean;
  /** every diagnosis made, oldest first */
  readonly reports: GradientReport[] = [];

  constructor(opts: GradientDoctorOptions) {
    super();
    const fn = 'gradientDoctor';
    checkOptions(fn, opts, ['x', 'y', 'every', 'print']);
    if (!(opts.x instanceof tf.Tensor) || opts.x.isDisposed) throw new Error(`${fn}: x must be a live tf.Tensor, got ${String(opts.x)}`);
    if (!(opts.y instanceof tf.Tensor) || opts.y.isDisposed) throw new Error(`${fn}: y must be a live tf.Tensor, got ${String(opts.y)}`);
    if (opts.x.shape[0] !== opts.y.shape[0]) throw new Error(`${fn}: x and y must have the same batch size, got ${opts.x.shape[0]} and ${opts.y.shape[0]}`);
    this.x = opts.x;
    this.y = opts.y;
    this.every = numberIn(fn, 'every', opts.every ?? 1, 1, Infinity, {int: true});
    this.print = opts.print ?? true;
  }

  /** Measures the model now (weights unchanged) and returns the diagnosis. */
  async diagnose(epoch = -1): Promise<GradientReport> {
    const model = fitModel(this, 'gradientDoctor');
    const lossFns = (model as unknown as {lossFunctions?: LossFn[]}).lossFunctions;
    if (!lossFns || lossFns.length !== 1) throw new Error('gradientDoctor: the model must be compiled, with one output and one loss');
    const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const kernels = trainable.filter((v) => v.rank >= 2);
    if (kernels.length === 0) throw new Error('gradientDoctor: the model has no trainable kernels');
    // every layer with a single output, in order (the input's RMS comes first)
    const layers = model.layers.filter((l) => !(l.getClassName() === 'InputLayer') && !Array.isArray(l.output));
    const tap = tfl.model({inputs: model.inputs, outputs: layers.map((l) => l.output as tfl.SymbolicTensor)});
    const n = this.x.shape[0];
    const out = tf.tidy(() => {
      const {value, grads} = tf.variableGrads(() => tf.mean(lossFns[0](this.y, model.apply(this.x, {training: true}) as tf.Tensor)) as tf.Scalar, trainable);
      const acts = [].concat(tap.predict(this.x) as never) as tf.Tensor[];
      const rms = (a: tf.Tensor): tf.Tensor => tf.div(safeNorm(a), Math.sqrt(n));
      const global = safeNorm(tf.stack(Object.values(grads).map((g) => safeNorm(g))));
      return tf.concat([
        tf.stack([tf.cast(value, 'float32'), global]),
        tf.stack(kernels.map((k) => safeNorm(grads[k.name]))),
        tf.stack(kernels.map((k) => safeNorm(k))),
        tf.stack([rms(this.x), ...acts.map(rms)]),
      ]);
    });
    const d = Array.from(await out.data());
    out.dispose();
    const K = kernels.length;
    const g = d.slice(2, 2 + K);
    const w = d.slice(2 + K, 2 + 2 * K);
    const classes = model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 0;
    const lossName = String((model as unknown as {loss?: unknown}).loss);
    const ce = /crossentropy/i.test(lossName) && !/binary/i.test(lossName) && classes > 1;
    const v = scaleVerdict({
      layers: kernels.map((k, i) => ({name: k.name, gradNormInit: g[i], gradNormMedian: g[i], weightNorm: w[i]})),
      globals: [d[1]], activationNorms: d.slice(2 + 2 * K), loss: d[0], chanceLoss: ce ? Math.log(classes) : NaN,
    });
    const report: GradientReport = {...v, epoch, activationLayers: layers.map((l) => l.name)};
    this.reports.push(report);
    if (this.print) console.log(formatReport(report));
    return report;
  }

  override async onTrainBegin(): Promise<void> {
    await this.diagnose(-1);
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if ((epoch + 1) % this.every === 0) await this.diagnose(epoch);
  }
}

const fmt = (v: number): string => (!Number.isFinite(v) ? String(v) : v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2) ? v.toExponential(2) : v.toFixed(3));

/** The report as a text table (kernels: gradient and weight norms; layers: activation RMS) and the verdict. */
export function formatReport(r: GradientReport): string {
  const when = r.epoch < 0 ? 'before training' : `after epoch ${r.epoch + 1}`;
  const lines = [`gradientDoctor (${when}): ${r.status}`, '  kernel                                 |grad|      |weight|'];
  for (const l of r.layers) lines.push(`  ${l.name.padEnd(38)} ${fmt(l.gradNormInit).padStart(10)} ${fmt(l.weightNorm).padStart(10)}`);
  lines.push('  activation RMS per sample: input ' + fmt(r.activationNorms[0]));
  r.activationLayers.forEach((name, i) => lines.push(`    ${name.padEnd(36)} ${fmt(r.activationNorms[i + 1]).padStart(10)}`));
  lines.push(`  ${r.verdict}`);
  return lines.join('\n');
}

/**
 * A doctor for `model.fit`: before training and after every `every`-th epoch it runs one
 * forward/backward pass on the batch `{x, y}` (weights unchanged) and prints, per layer, the
 * gradient and weight norm of each kernel and the per-sample RMS of each layer's output, then
 * stable-train's scale verdict (grad-clip `scaleVerdict`, the same analysis as the umbrella's
 * `diagnose`): exploding / vanishing / non-finite / healthy, with the fixes that apply. The
 * reports are kept in `reports`. `x` and `y` stay owned by the caller.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import {callbacks} from '@stable-train/layers';
 * const model = tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [4], activation: 'relu'}), tf.layers.dense({units: 1})]});
 * model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
 * const [x, y] = [tf.randomNormal([16, 4]), tf.randomNormal([16, 1])];
 * await model.fit(x, y, {epochs: 2, callbacks: [callbacks.gradientDoctor({x, y, every: 2})], verbose: 0});
 * ```
 * @param opts.x a representative input batch
 * @param opts.y its targets
 * @param opts.every diagnose after every this many epochs (default 1)
 * @param opts.print print each report (default true)
 */
export function gradientDoctor(opts: GradientDoctorOptions): GradientDoctor {
  return new GradientDoctor(opts);
}
