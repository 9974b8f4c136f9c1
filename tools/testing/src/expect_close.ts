import * as tf from '@tensorflow/tfjs-core';

export interface Tolerance {
  /** relative tolerance, default 1e-5 */
  rtol?: number;
  /** absolute tolerance, default 1e-6 */
  atol?: number;
}

type Numeric = tf.Tensor | number | ArrayLike<number> | number[][] | number[][][] | number[][][][];

function flatten(x: Numeric): {data: number[]; shape: number[] | null} {
  if (x instanceof tf.Tensor) return {data: Array.from(x.dataSync() as ArrayLike<number>), shape: x.shape};
  if (typeof x === 'number') return {data: [x], shape: null};
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'number') out.push(v);
    else for (const e of Array.from(v as ArrayLike<unknown>)) walk(e);
  };
  walk(x);
  return {data: out, shape: null};
}

/**
 * Asserts `|actual - expected| <= atol + rtol * |expected|` element-wise (numpy's `allclose`).
 * NaN matches NaN and ±Infinity must match exactly. On failure the message lists the worst
 * elements with their index, both values and the allowed error.
 */
export function expectClose(actual: Numeric, expected: Numeric, tol: Tolerance = {}): void {
  const rtol = tol.rtol ?? 1e-5;
  const atol = tol.atol ?? 1e-6;
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.data.length !== e.data.length) {
    throw new Error(
      `expectClose: size mismatch, actual has ${a.data.length} elements` +
        (a.shape ? ` (shape [${a.shape}])` : '') +
        `, expected ${e.data.length}` + (e.shape ? ` (shape [${e.shape}])` : ''),
    );
  }
  if (a.shape && e.shape && a.shape.join(',') !== e.shape.join(',')) {
    throw new Error(`expectClose: shape mismatch, actual [${a.shape}] vs expected [${e.shape}]`);
  }
  const bad: {i: number; a: number; e: number; err: number; allowed: number}[] = [];
  for (let i = 0; i < a.data.length; i++) {
    const av = a.data[i];
    const ev = e.data[i];
    if (Number.isNaN(ev) && Number.isNaN(av)) continue;
    if (!Number.isFinite(ev) || !Number.isFinite(av)) {
      if (av !== ev) bad.push({i, a: av, e: ev, err: Infinity, allowed: 0});
      continue;
    }
    const err = Math.abs(av - ev);
    const allowed = atol + rtol * Math.abs(ev);
    if (!(err <= allowed)) bad.push({i, a: av, e: ev, err, allowed});
  }
  if (bad.length > 0) {
    bad.sort((x, y) => y.err / (y.allowed || 1e-300) - x.err / (x.allowed || 1e-300));
    const rows = bad
      .slice(0, 8)
      .map((b) => `  [${b.i}] actual ${b.a} expected ${b.e} |diff| ${b.err.toExponential(3)} > ${b.allowed.toExponential(3)}`)
      .join('\n');
    throw new Error(
      `expectClose: ${bad.length} of ${a.data.length} elements differ (rtol ${rtol}, atol ${atol}); worst:\n${rows}`,
    );
  }
}
