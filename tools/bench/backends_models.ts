// Models, timing helpers and GEMM-floor measurement for tools/bench/backends.ts.
import * as tf from '@tensorflow/tfjs-core';
import {heNormal} from '@stable-train/initializers';

export const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** A model to train: its variables and a loss on a fixed batch. */
export interface Bench {
  loss: () => tf.Scalar;
  dispose: () => void;
}

/** He-normal (initializers' `heNormal`: std √(2/fanIn) for 'relu', √(1/fanIn) for 'linear'), seeded. */
const normal = (shape: number[], seed: number, nonlinearity: 'relu' | 'linear' = 'relu') => tf.variable(heNormal({nonlinearity})(shape, {seed}));

/** MLP 784-512-512-10, ReLU, softmax cross-entropy, batch 128 (dense = matMul + bias + relu). */
export function mlp(batch = 128): Bench {
  const sizes = [784, 512, 512, 10];
  const ws = sizes.slice(1).map((o, i) => normal([sizes[i], o], 10 + i));
  const bs = sizes.slice(1).map((o) => tf.variable(tf.zeros([o])));
  const x = tf.randomNormal([batch, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10).toFloat();
  const loss = () => tf.tidy(() => {
    let h: tf.Tensor = x;
    ws.forEach((w, i) => {
      h = tf.add(tf.matMul(h, w), bs[i]);
      if (i < ws.length - 1) h = tf.relu(h);
    });
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  });
  return {loss, dispose: () => tf.dispose([...ws, ...bs, x, y])};
}

/** conv 3x3x16 (same, relu) → conv 3x3x32 stride 2 (same, relu) → dense 10, on 28x28x1, batch 64. */
export function convnet(batch = 64): Bench {
  const w1 = normal([3, 3, 1, 16], 20);
  const w2 = normal([3, 3, 16, 32], 21);
  const wd = normal([14 * 14 * 32, 10], 22, 'linear');
  const [b1, b2, bd] = [16, 32, 10].map((n) => tf.variable(tf.zeros([n])));
  const x = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 4), 10).toFloat();
  const loss = () => tf.tidy(() => {
    const h1 = tf.relu(tf.add(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'), b1)) as tf.Tensor4D;
    const h2 = tf.relu(tf.add(tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same'), b2));
    const logits = tf.add(tf.matMul(tf.reshape(h2, [batch, -1]), wd), bd);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  });
  return {loss, dispose: () => tf.dispose([w1, w2, wd, b1, b2, bd, x, y])};
}

/** One SGD step, synchronised (reads the loss back). Returns the loss. */
export function step(b: Bench, opt: tf.Optimizer): number {
  const cost = opt.minimize(b.loss, true) as tf.Scalar;
  const v = cost.dataSync()[0];
  cost.dispose();
  return v;
}

/** Median over `repeats` of the mean ms/step of `steps` steps, after `warmup` steps. */
export function timeSteps(b: Bench, opt: tf.Optimizer, warmup: number, steps: number, repeats: number) {
  for (let i = 0; i < warmup; i++) step(b, opt);
  const per: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step(b, opt);
    per.push((performance.now() - t0) / steps);
  }
  return {ms: median(per), all: per};
}

/**
 * Median ms of `fn(...make())` over `n` runs (after `warmup` runs); `make` is not timed. WASM and
 * cpu kernels run synchronously, so the result is complete when `fn` returns and its read-back
 * (a copy the step never makes) is not timed; other backends are read back to synchronise.
 */
export function timeIt<A extends tf.Tensor[]>(make: () => A, fn: (...a: A) => tf.Tensor, n: number, warmup = 2): number {
  const sync = tf.getBackend() !== 'wasm' && tf.getBackend() !== 'cpu';
  const once = () => {
    const args = make();
    const t0 = performance.now();
    const t = fn(...args);
    if (sync) t.dataSync();
    const dt = performance.now() - t0;
    tf.dispose([t, ...args]);
    return dt;
  };
  for (let i = 0; i < warmup; i++) once();
  return median(Array.from({length: n}, once));
}

/**
 * The MLP step's GEMMs timed alone with untransposed operands: forward x·W per layer, dW = hᵀ·dy
 * per layer and dx = dy·Wᵀ for layers 2-3 (the step never computes layer 1's dx; reported apart).
 * Operands are fresh tensors each run, as in a training step (tfjs-wasm caches XNNPACK's packed
 * right-hand operand by tensor, so reusing one tensor would time a cache hit no step gets).
 * `cacheHit: false` skips that second, same-operand timing.
 */
export function mlpGemmFloor(batch = 128, n = 15, opts: {warmup?: number; cacheHit?: boolean} = {}) {
  const {warmup = 2, cacheHit = true} = opts;
  const sizes = [784, 512, 512, 10];
  const rows: {name: string; ms: number; warm: number; needed: boolean}[] = [];
  const gemm = (name: string, m: number, k: number, nn: number, needed = true) => {
    const a = tf.randomNormal([m, k]);
    const b = tf.randomNormal([k, nn]);
    const fresh = () => [tf.add(a, 0), tf.add(b, 0)] as [tf.Tensor, tf.Tensor];
    const ms = timeIt(fresh, (p, q) => tf.matMul(p, q), n, warmup);
    const warm = cacheHit ? timeIt<tf.Tensor[]>(() => [], () => tf.matMul(a, b), n, warmup) : NaN;
    rows.push({name, ms, warm, needed});
    tf.dispose([a, b]);
  };
  for (let l = 0; l < 3; l++) {
    const [i, o] = [sizes[l], sizes[l + 1]];
    gemm(`fwd L${l + 1} [${batch}x${i}]·[${i}x${o}]`, batch, i, o);
    gemm(`dW  L${l + 1} [${i}x${batch}]·[${batch}x${o}]`, i, batch, o);
    gemm(`dx  L${l + 1} [${batch}x${o}]·[${o}x${i}]`, batch, o, i, l > 0);
  }
  const floor = rows.filter((r) => r.needed).reduce((s, r) => s + r.ms, 0);
  const all = rows.reduce((s, r) => s + r.ms, 0);
  const warm = rows.filter((r) => r.needed).reduce((s, r) => s + r.warm, 0);
  return {rows, floor, all, warm};
}

/** Median ms of one batched product [b, n, n]·[b, n, n] (fresh operands each run, as in a step). */
export function batchedMatMulMs(b: number, n: number, runs = 5): number {
  const a = tf.randomNormal([b, n, n]);
  const c = tf.randomNormal([b, n, n]);
  const ms = timeIt(() => [tf.add(a, 0), tf.add(c, 0)] as [tf.Tensor, tf.Tensor], (p, q) => tf.matMul(p, q), runs, 1);
  tf.dispose([a, c]);
  return ms;
}
