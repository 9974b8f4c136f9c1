import {createRng} from '../rng';
import {ArrayDataset} from './dataset';

/**
 * Two interleaved spirals (Lang & Witbrock 1988), a classic hard 2-class problem for MLPs.
 *
 * ```ts
 * const ds = twoSpirals({samples: 1000, noise: 0.1, seed: 1});
 * ```
 * @param o samples (even, >= 2), noise (std of added Gaussian noise), seed, turns (default 2)
 */
export function twoSpirals(o: {samples: number; noise?: number; seed?: number; turns?: number}): ArrayDataset {
  const n = o?.samples;
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`twoSpirals: samples must be an integer >= 2, got ${n}`);
  const rng = createRng(o.seed ?? 0);
  const noise = o.noise ?? 0.1;
  const turns = o.turns ?? 2;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = Math.sqrt(rng.next()) * turns * 2 * Math.PI;
    const s = c ? -1 : 1;
    x[2 * i] = (s * t * Math.cos(t)) / (turns * 2 * Math.PI) + noise * rng.normal();
    x[2 * i + 1] = (s * t * Math.sin(t)) / (turns * 2 * Math.PI) + noise * rng.normal();
    y[i] = c;
  }
  return new ArrayDataset({x, y, inputShape: [2], numClasses: 2, name: 'twoSpirals'});
}

/**
 * Teacher–student data: inputs `x ~ N(0, 1)`, labels `argmax(x·T)` of a random linear teacher `T`
 * (the setup of goldens §8), or its outputs as regression targets.
 *
 * ```ts
 * const ds = teacherStudent({samples: 1024, inputs: 64, classes: 10, seed: 0});
 * ```
 * @param o samples, inputs, classes (>= 2), seed, regression (targets `x·T` instead of labels)
 */
export function teacherStudent(o: {samples: number; inputs: number; classes: number; seed?: number; regression?: boolean}): ArrayDataset {
  for (const k of ['samples', 'inputs', 'classes'] as const) {
    if (!(Number.isInteger(o?.[k]) && o[k] >= 1)) throw new Error(`teacherStudent: ${k} must be an integer >= 1, got ${o?.[k]}`);
  }
  const {samples: n, inputs: d, classes: c} = o;
  const rng = createRng(o.seed ?? 0);
  const t = Float32Array.from({length: d * c}, () => rng.normal() / Math.sqrt(d));
  const x = Float32Array.from({length: n * d}, () => rng.normal());
  const out = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k] * t[k * c + j];
      out[i * c + j] = s;
    }
  }
  if (o.regression) return new ArrayDataset({x, y: out, inputShape: [d], targetShape: [c], name: 'teacherStudent'});
  if (c < 2) throw new Error('teacherStudent: classes must be >= 2 for labels');
  const y = Int32Array.from({length: n}, (_, i) => {
    let best = 0;
    for (let j = 1; j < c; j++) if (out[i * c + j] > out[i * c + best]) best = j;
    return best;
  });
  return new ArrayDataset({x, y, inputShape: [d], numClasses: c, name: 'teacherStudent'});
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997; Pascanu et al. 2013): a sequence of `T`
 * pairs (value in [0, 1), marker); exactly two markers are 1 and the target is the sum of their
 * values. Long `T` makes a vanilla RNN's gradients explode or vanish. Inputs `[T, 2]`, target `[1]`.
 *
 * ```ts
 * const ds = addingProblem({samples: 2000, length: 50, seed: 0});
 * ```
 * @param o samples, length T (>= 2), seed
 */
export function addingProblem(o: {samples: number; length: number; seed?: number}): ArrayDataset {
  if (!(Number.isInteger(o?.samples) && o.samples >= 1)) throw new Error(`addingProblem: samples must be an integer >= 1, got ${o?.samples}`);
  if (!(Number.isInteger(o.length) && o.length >= 2)) throw new Error(`addingProblem: length must be an integer >= 2, got ${o.length}`);
  const {samples: n, length: T} = o;
  const rng = createRng(o.seed ?? 0);
  const x = new Float32Array(n * T * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) x[(i * T + t) * 2] = rng.next();
    const a = rng.int(Math.ceil(T / 2));
    const b = Math.ceil(T / 2) + rng.int(Math.floor(T / 2));
    x[(i * T + a) * 2 + 1] = 1;
    x[(i * T + b) * 2 + 1] = 1;
    y[i] = x[(i * T + a) * 2] + x[(i * T + b) * 2];
  }
  return new ArrayDataset({x, y, inputShape: [T, 2], targetShape: [1], name: 'addingProblem'});
}
