// One training run (a network, its optimizer, its techniques) driven by the umbrella's Trainer.
import * as tf from '@tensorflow/tfjs-core';
import {createClipper} from '@stable-train/grad-clip';
import {warmupCosine} from '@stable-train/lr-schedule';
import {decoupledWeightDecay} from '@stable-train/regularizers';
import {Trainer} from 'stable-train';
import {buildNet, type Net} from './models';

/** The switches of one column of the page. */
export interface Techniques {
  init: 'he' | 'normal';
  norm: 'none' | 'layer' | 'rms';
  residual: boolean;
  clip: 'none' | 'globalNorm' | 'norm' | 'value' | 'agc' | 'auto';
  /** maxNorm (globalNorm, norm), clipValue (value), clipFactor (agc), percentile (auto) */
  clipThreshold: number;
  schedule: boolean;
  decay: boolean;
}

/** Everything both columns share. */
export interface Shared {
  depth: number;
  width: number;
  steps: number;
  /** peak learning rate (constant when the schedule is off) */
  lr: number;
  optimizer: 'momentum' | 'adam';
  seed: number;
}

/** A guard event as the page lists it. */
export interface PageEvent {
  step: number;
  cause: string;
  action: string;
  message: string;
}

export const NAIVE: Techniques = {init: 'normal', norm: 'none', residual: false, clip: 'none', clipThreshold: 1, schedule: false, decay: false};
export const STABLE: Techniques = {init: 'he', norm: 'layer', residual: true, clip: 'globalNorm', clipThreshold: 1, schedule: true, decay: true};

let runCounter = 0;
const LOG_EVERY = 2;

/** A network training with the Trainer; metrics land in plain arrays indexed by step. */
export class Run {
  readonly net: Net;
  readonly trainer: Trainer;
  readonly loss: (number | null)[];
  readonly gradNorm: (number | null)[];
  readonly gradNormClipped: (number | null)[];
  readonly lr: (number | null)[];
  readonly events: PageEvent[] = [];
  /** Set when the guard gave up: the run takes no more steps. */
  stopped: {step: number; reason: string} | null = null;
  stepMs = 0;
  stepsTaken = 0;
  /** Milliseconds of each step taken, in order. */
  readonly stepTimes: number[] = [];
  private readonly disposers: (() => void)[] = [];

  constructor(readonly label: string, readonly tech: Techniques, readonly shared: Shared, onEvent: (e: PageEvent) => void) {
    const n = shared.steps;
    this.loss = new Array(n).fill(null);
    this.gradNorm = new Array(n).fill(null);
    this.gradNormClipped = new Array(n).fill(null);
    this.lr = new Array(n).fill(null);
    this.net = buildNet({
      name: `${label}_${++runCounter}`,
      depth: shared.depth,
      width: shared.width,
      inputs: 2,
      classes: 2,
      init: tech.init,
      norm: tech.norm,
      residual: tech.residual,
      seed: shared.seed,
    });
    const optimizer =
      shared.optimizer === 'adam' ? tf.train.adam(shared.lr, 0.9, 0.999, 1e-8) : tf.train.momentum(shared.lr, 0.9);
    const transforms = [];
    if (tech.clip !== 'none') {
      const t = tech.clipThreshold;
      const clipper = createClipper(
        tech.clip === 'value' ? {mode: 'value', clipValue: t}
          : tech.clip === 'agc' ? {mode: 'agc', clipFactor: t}
          : tech.clip === 'auto' ? {mode: 'auto', percentile: t}
          : {mode: tech.clip, maxNorm: t},
      );
      transforms.push(clipper);
      if (clipper.dispose) this.disposers.push(() => clipper.dispose!());
    }
    const warm = Math.max(1, Math.round(shared.steps / 10));
    const schedule = tech.schedule
      ? warmupCosine({initial: 0, peak: shared.lr, warmupSteps: warm, decaySteps: shared.steps, final: shared.lr / 100})
      : shared.lr;
    // Decoupled decay through the Trainer's weightDecay: p ← p·(1 − lr·rate) before the optimizer
    // step, as AdamW does (the rate is AdamW's convention; kernels only: biases, norms and gates
    // are excluded).
    const decay = tech.decay ? decoupledWeightDecay({rate: shared.optimizer === 'adam' ? 0.05 : 5e-4}) : null;
    this.trainer = new Trainer({
      model: this.net,
      optimizer,
      loss: 'softmax_cross_entropy',
      schedule,
      transforms,
      ...(decay ? {weightDecay: decay} : {}),
      // Metrics cost ~6 ops per variable (norms before/after clipping, update ratio): every 2nd step.
      logEvery: LOG_EVERY,
      layerMetrics: false,
      guard: {policy: 'skip', cutLr: 0.5, maxConsecutive: 10, lossSpike: 0, gradSpike: 0},
      onStep: (m) => {
        this.gradNorm[m.step] = finite(m.gradNorm);
        this.gradNormClipped[m.step] = finite(m.gradNormClipped);
        this.lr[m.step] = m.lr;
      },
      onEvent: (e) => {
        const ev = {step: e.step, cause: String(e.cause), action: String(e.action), message: e.message};
        this.events.push(ev);
        onEvent(ev);
      },
    });
    this.disposers.push(() => optimizer.dispose());
  }

  /** One step on `batch`; no-op once the guard gave up. */
  async step(batch: {x: tf.Tensor; y: tf.Tensor}): Promise<void> {
    if (this.stopped) return;
    const t0 = performance.now();
    const r = await this.trainer.step(batch);
    const ms = performance.now() - t0;
    this.stepMs += ms;
    this.stepTimes.push(ms);
    this.stepsTaken++;
    // The guard reads the loss every step (policy 'skip'); the other metrics come every `logEvery`.
    if (r.loss !== undefined) this.loss[r.step] = finite(r.loss);
    if (!r.applied) this.lr[r.step] = this.trainer.currentLr();
    if (this.trainer.guard.gaveUp) this.stopped = {step: r.step, reason: 'the guard gave up (too many bad steps in a row)'};
  }

  /** Last finite loss recorded. */
  lastLoss(): number | null {
    for (let i = this.loss.length - 1; i >= 0; i--) if (this.loss[i] != null) return this.loss[i];
    return null;
  }

  /** Median step time over the second half of the steps taken (after shader compilation, warm-up). */
  steadyMs(): number | null {
    const xs = this.stepTimes.slice(Math.floor(this.stepTimes.length / 2)).sort((a, b) => a - b);
    return xs.length ? xs[Math.floor(xs.length / 2)] : null;
  }

  /** Mean of the last `k` finite losses. */
  recentLoss(k = 20): number | null {
    const xs = this.loss.filter((v): v is number => v != null).slice(-k);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  }

  /** Accuracy of the network on host points. */
  accuracy(x: Float32Array, y: Int32Array): number {
    const pred = tf.tidy(() => tf.argMax(this.net.apply(tf.tensor2d(x, [y.length, 2]), {training: false}), 1));
    const p = pred.dataSync();
    pred.dispose();
    let ok = 0;
    for (let i = 0; i < y.length; i++) if (p[i] === y[i]) ok++;
    return ok / y.length;
  }

  async dispose(): Promise<void> {
    await this.trainer.flush();
    this.trainer.dispose();
    this.disposers.forEach((d) => d());
    this.net.dispose();
  }
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
