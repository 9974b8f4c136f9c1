// Host (float64) QR for the orthogonal initializers. tf.linalg.qr exists in tfjs-core but builds
// the factorisation from many small ops: measured here it took 29 s for a 592x83 matrix on the cpu
// backend (0.56 s on wasm), so initialisation (not a hot path) does the QR in plain JS instead.

/**
 * Q of the thin QR of the row-major m×n matrix `a` (m >= n), with the sign correction
 * Q ← Q·diag(sign(diag(R))) that makes the factorisation unique (and Q Haar-distributed when `a`
 * is Gaussian), as PyTorch's `orthogonal_` does. Householder reflections, column-major work arrays.
 * @returns Q, row-major m×n, with orthonormal columns
 * @internal
 */
export function orthonormalColumns(a: ArrayLike<number>, m: number, n: number): Float64Array {
  if (m < n) throw new Error(`orthonormalColumns: rows must be >= cols (${n}), got ${m}`);
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = a[i * n + j];
    cols.push(c);
  }
  const vs: Float64Array[] = [];
  const betas = new Float64Array(n);
  const signs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = cols[k];
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += x[i] * x[i];
    const norm = Math.sqrt(norm2);
    // reflect x onto alpha·e_k with alpha of opposite sign to x_k (no cancellation); r_kk = alpha
    const alpha = x[k] >= 0 ? -norm : norm;
    const v = x.slice(k);
    v[0] -= alpha;
    const vnorm2 = norm2 - x[k] * x[k] + v[0] * v[0];
    const beta = vnorm2 > 0 ? 2 / vnorm2 : 0;
    vs.push(v);
    betas[k] = beta;
    signs[k] = alpha < 0 ? -1 : 1;
    for (let j = k + 1; j < n; j++) {
      const c = cols[j];
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i] * c[k + i];
      s *= beta;
      for (let i = 0; i < v.length; i++) c[k + i] -= s * v[i];
    }
  }
  // Q e_j = H_0 H_1 … H_j e_j (reflectors after j leave e_j unchanged)
  const q = new Float64Array(m * n);
  const col = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    for (let k = j; k >= 0; k--) {
      const v = vs[k];
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i] * col[k + i];
      s *= betas[k];
      for (let i = 0; i < v.length; i++) col[k + i] -= s * v[i];
    }
    for (let i = 0; i < m; i++) q[i * n + j] = col[i] * signs[j];
  }
  return q;
}

/**
 * A rows×cols matrix (row-major) with orthonormal columns if rows >= cols, orthonormal rows
 * otherwise, from Gaussian entries `g` (row-major, rows·cols of them): QR of g (or of gᵀ).
 * @internal
 */
export function orthogonalMatrix(g: ArrayLike<number>, rows: number, cols: number): Float64Array {
  if (rows >= cols) return orthonormalColumns(g, rows, cols);
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = g[i * cols + j];
  const qt = orthonormalColumns(t, cols, rows); // cols×rows
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = qt[j * rows + i];
  return out;
}
