// The two networks of the page, built from the technique packages: a plain deep ReLU MLP and a
// pre-activation residual MLP with ReZero gates; init and LayerNorm switchable on both.
import * as tf from '@tensorflow/tfjs-core';
import {LayerNorm, RMSNorm} from '@stable-train/batchnorm';
import {heNormal, normal} from '@stable-train/initializers';
import {residualMlp} from '@stable-train/resnet-blocks';

/** What the network is made of. */
export interface NetOptions {
  /** prefix of every variable name (tfjs variable names are global: make it unique per run) */
  name: string;
  /** ReLU layers (a residual block holds two) */
  depth: number;
  width: number;
  inputs: number;
  classes: number;
  /** He normal (√(2/fan_in)) or N(0, 1) */
  init: 'he' | 'normal';
  /** normalisation before each activation: none, LayerNorm or RMSNorm */
  norm: 'none' | 'layer' | 'rms';
  /** residual blocks with a ReZero gate instead of a plain stack */
  residual: boolean;
  seed: number;
}

/** A module of DESIGN.md's shape, plus the kernels in order from input to output (for the doctor). */
export interface Net {
  apply(x: tf.Tensor, opts?: {training?: boolean}): tf.Tensor;
  readonly variables: tf.Variable[];
  dispose(): void;
  readonly kernels: tf.Variable[];
  /** Hidden states layer by layer (residual: the stream after each block), for the doctor. */
  hidden(x: tf.Tensor): tf.Tensor[];
  /** the same, under the name stable-train's `diagnose` looks for */
  trace(x: tf.Tensor): tf.Tensor[];
  readonly summary: string;
}

/** Builds the network described by `o`. */
export function buildNet(o: NetOptions): Net {
  let seed = o.seed;
  const initFn = o.init === 'he' ? heNormal() : normal({mean: 0, std: 1});
  const init = (shape: number[]): tf.Tensor => initFn(shape, {seed: seed++});
  const owned: tf.Variable[] = [];
  const dense = (label: string, nIn: number, nOut: number) => {
    const kernel = tf.variable(init([nIn, nOut]), true, `${o.name}/${label}/kernel`);
    const bias = tf.variable(tf.zeros([nOut]), true, `${o.name}/${label}/bias`);
    owned.push(kernel, bias);
    return {kernel, bias, apply: (h: tf.Tensor) => tf.add(tf.matMul(h, kernel), bias)};
  };
  const layerNorm = (channels: number, name: string) => (o.norm === 'rms' ? new RMSNorm({channels, name}) : new LayerNorm({channels, name}));
  const hasNorm = o.norm !== 'none';
  const norms: {apply(x: tf.Tensor, o: {training: boolean}): tf.Tensor; variables: tf.Variable[]; dispose(): void}[] = [];
  const ln = (label: string) => {
    const m = layerNorm(o.width, `${o.name}/${label}`);
    norms.push(m);
    return m;
  };

  const stem = dense('dense0', o.inputs, o.width);
  const kernels: tf.Variable[] = [stem.kernel];
  // every hidden state from the input on; the last one feeds the head
  let body: (x: tf.Tensor, training: boolean) => tf.Tensor[];
  let extra: {variables: tf.Variable[]; dispose(): void} | null = null;
  let summary: string;
  if (o.residual) {
    const blocks = Math.max(1, Math.round(o.depth / 2));
    const net = residualMlp({
      depth: blocks,
      width: o.width,
      name: `${o.name}/res`,
      gate: 'rezero',
      norm: hasNorm ? layerNorm : undefined,
      kernelInit: init,
    });
    extra = net;
    kernels.push(...net.variables.filter((v) => v.name.endsWith('/kernel')));
    const final = hasNorm ? ln('norm_final') : null;
    body = (x, training) => {
      const states = [stem.apply(x)];
      for (const b of net.blocks) states.push(b.apply(states[states.length - 1], {training}));
      const y = states[states.length - 1];
      states.push(tf.relu(final ? final.apply(y, {training}) : y));
      return states;
    };
    summary = `${blocks} pre-activation residual blocks (${2 * blocks} ReLU layers) with ReZero gates`;
  } else {
    const layers = [stem];
    const lns = [hasNorm ? ln('norm0') : null];
    for (let i = 1; i < o.depth; i++) {
      const d = dense(`dense${i}`, o.width, o.width);
      layers.push(d);
      kernels.push(d.kernel);
      lns.push(hasNorm ? ln(`norm${i}`) : null);
    }
    body = (x, training) => {
      const states: tf.Tensor[] = [];
      layers.forEach((d, i) => {
        const z = d.apply(states.length ? states[states.length - 1] : x);
        const n = lns[i];
        states.push(tf.relu(n ? n.apply(z, {training}) : z));
      });
      return states;
    };
    summary = `${o.depth} plain ReLU layers`;
  }
  const head = dense('head', o.width, o.classes);
  kernels.push(head.kernel);
  summary += `, width ${o.width}, ${o.init === 'he' ? 'He normal' : 'N(0, 1)'} init${o.norm === 'layer' ? ', LayerNorm' : o.norm === 'rms' ? ', RMSNorm' : ''}`;

  return {
    kernels,
    summary,
    // input → output (the doctor reads kernels in this order): stem, blocks, head, then norms
    get variables() {
      const [stemK, stemB, ...rest] = owned;
      return [stemK, stemB, ...(extra?.variables ?? []), ...rest, ...norms.flatMap((n) => n.variables)];
    },
    apply(x, opts = {}) {
      const training = opts.training ?? false;
      return tf.tidy(() => {
        const states = body(x, training);
        return head.apply(states[states.length - 1]);
      });
    },
    hidden(x) {
      return tf.tidy(() => body(x, true));
    },
    // stable-train's diagnose reads activation norms through `trace`
    trace(x: tf.Tensor) {
      return tf.tidy(() => body(x, true));
    },
    dispose() {
      owned.forEach((v) => v.dispose());
      extra?.dispose();
      norms.forEach((n) => n.dispose());
    },
  };
}
