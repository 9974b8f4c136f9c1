// Test-only helpers: deterministic float32-exact data and float64 reference computations
// (plain JS numbers, independent of tfjs).

/** `n` float32-exact numbers in [-1, 1) from a fixed linear congruential generator. */
export function seq(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.fround((s / 2 ** 32) * 2 - 1));
  }
  return out;
}

/** Row-major strides of `shape`. */
function strides(shape: number[]): number[] {
  const st = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) st[i] = st[i + 1] * shape[i + 1];
  return st;
}

/**
 * For each element of a row-major tensor, the L2 norm of its unit: the elements that share its
 * indices on every axis not in `axes` (Keras `sqrt(sum(square(w), axis, keepdims))`, broadcast).
 */
export function unitNormsRef(data: number[], shape: number[], axes: number[]): number[] {
  const st = strides(shape);
  const key = (i: number): number => {
    let k = 0;
    shape.forEach((d, a) => {
      if (!axes.includes(a)) k += Math.floor(i / st[a]) % d * st[a];
    });
    return k;
  };
  const sums = new Map<number, number>();
  data.forEach((x, i) => sums.set(key(i), (sums.get(key(i)) ?? 0) + x * x));
  return data.map((_, i) => Math.sqrt(sums.get(key(i))!));
}

/** `rows x cols` matrix product of row-major `a [r, k]` and `b [k, c]` in float64. */
export function matMulRef(a: number[], b: number[], r: number, k: number, c: number): number[] {
  const out = new Array<number>(r * c).fill(0);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) for (let t = 0; t < k; t++) out[i * c + j] += a[i * k + t] * b[t * c + j];
  return out;
}

/** Transpose of a row-major `[r, c]` matrix. */
export function transposeRef(a: number[], r: number, c: number): number[] {
  const out = new Array<number>(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/**
 * Largest singular value of a row-major `[m, n]` matrix in float64: power iteration on the
 * symmetric `WᵀW` (n x n) until the Rayleigh quotient stops changing, σ = sqrt(λ_max).
 */
export function largestSingularValueRef(w: number[], m: number, n: number): number {
  const g = matMulRef(transposeRef(w, m, n), w, n, m, n);
  let x = Array.from({length: n}, (_, i) => 1 + i / n);
  let lambda = 0;
  for (let it = 0; it < 100000; it++) {
    const y = matMulRef(g, x, n, n, 1);
    const norm = Math.sqrt(y.reduce((s, e) => s + e * e, 0));
    const next = x.reduce((s, e, i) => s + e * y[i], 0) / x.reduce((s, e) => s + e * e, 0);
    x = y.map((e) => e / norm);
    if (it > 10 && Math.abs(next - lambda) <= 1e-15 * next) return Math.sqrt(next);
    lambda = next;
  }
  throw new Error('largestSingularValueRef: no convergence');
}
