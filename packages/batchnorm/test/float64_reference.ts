// Test helper: golden-free float64 references computed from the float32 inputs, for the options
// the PyTorch reference file has no case for: batch norm (channels last) with affine=False,
// momentum=None, track_running_stats=False; layer / RMS norm over the last k axes
// (normalized_shape) with or without elementwise affine.

/** Per-channel mean, biased variance (/ n) and unbiased variance (/ (n - 1)) of channels-last data. */
export function channelStats(x: ArrayLike<number>, channels: number) {
  const n = x.length / channels;
  const mean = new Array<number>(channels).fill(0);
  for (let i = 0; i < x.length; i++) mean[i % channels] += x[i] / n;
  const ss = new Array<number>(channels).fill(0);
  for (let i = 0; i < x.length; i++) ss[i % channels] += (x[i] - mean[i % channels]) ** 2;
  return {n, mean, varBiased: ss.map((s) => s / n), varUnbiased: ss.map((s) => s / (n - 1))};
}

/** x normalised with its own batch statistics: (x - mean_B) / sqrt(var_B + eps), biased var_B. */
export function normalise(x: ArrayLike<number>, channels: number, eps: number): number[] {
  const {mean, varBiased} = channelStats(x, channels);
  return Array.from(x, (v, i) => (v - mean[i % channels]) / Math.sqrt(varBiased[i % channels] + eps));
}

/**
 * d/dx of sum(normalise(x) * up), batch statistics on the gradient path (gamma = 1):
 * dx = (up - mean(up) - xhat * mean(up * xhat)) / sqrt(var_B + eps), means per channel.
 */
export function normaliseGrad(x: ArrayLike<number>, up: ArrayLike<number>, channels: number, eps: number): number[] {
  const {n, varBiased} = channelStats(x, channels);
  const xhat = normalise(x, channels, eps);
  const mUp = new Array<number>(channels).fill(0);
  const mUpX = new Array<number>(channels).fill(0);
  for (let i = 0; i < x.length; i++) {
    mUp[i % channels] += up[i] / n;
    mUpX[i % channels] += (up[i] * xhat[i]) / n;
  }
  return Array.from(x, (_, i) => {
    const c = i % channels;
    return (up[i] - mUp[c] - xhat[i] * mUpX[c]) / Math.sqrt(varBiased[c] + eps);
  });
}

/** Deterministic float32-exact pseudo-random values in [offset - scale, offset + scale) (mulberry32). */
export function seeded(seed: number, size: number, offset: number, scale: number): number[] {
  let a = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out.push(Math.fround(offset + scale * (2 * u - 1)));
  }
  return out;
}

/** What {@link layerNormRef} / {@link rmsNormRef} return: y and d(sum(y * up)) / d(each input). */
export interface NormRef {
  y: number[];
  dx: number[];
  /** per element of normalized_shape (row-major), summed over the leading axes */
  dgamma: number[];
  /** per element of normalized_shape; zeros for RMS norm */
  dbeta: number[];
}

/**
 * Float64 layer norm over trailing blocks of `m` values (m = prod(normalized_shape); row-major
 * data, so each block is one sample's last k axes): xhat = (x - mean) / sqrt(var + eps), biased
 * var; y = xhat * gamma + beta (null = ones / zeros). Gradients of sum(y * up):
 * dx = (u - mean(u) - xhat * mean(u * xhat)) / sqrt(var + eps) with u = up * gamma,
 * dgamma = sum(up * xhat), dbeta = sum(up) over the blocks.
 */
export function layerNormRef(
  x: ArrayLike<number>, m: number, gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null,
  up: ArrayLike<number>, eps: number,
): NormRef {
  const out: NormRef = {y: [], dx: [], dgamma: new Array(m).fill(0), dbeta: new Array(m).fill(0)};
  for (let s = 0; s < x.length; s += m) {
    const xs = Array.from({length: m}, (_, j) => x[s + j]);
    const mean = xs.reduce((a, b) => a + b, 0) / m;
    const inv = 1 / Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / m + eps);
    const xhat = xs.map((v) => (v - mean) * inv);
    const u = xhat.map((_, j) => up[s + j] * (gamma ? gamma[j] : 1));
    const mu = u.reduce((a, b) => a + b, 0) / m;
    const mux = u.reduce((a, b, j) => a + b * xhat[j], 0) / m;
    for (let j = 0; j < m; j++) {
      out.y.push(xhat[j] * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0));
      out.dx.push((u[j] - mu - xhat[j] * mux) * inv);
      out.dgamma[j] += up[s + j] * xhat[j];
      out.dbeta[j] += up[s + j];
    }
  }
  return out;
}

/**
 * Float64 RMS norm over trailing blocks of `m` values: r = sqrt(mean(x^2) + eps),
 * y = x / r * gamma (null = ones). Gradients of sum(y * up), u = up * gamma:
 * dx = u / r - x * sum(u * x) / (m * r^3), dgamma = sum(up * x / r) over the blocks.
 */
export function rmsNormRef(
  x: ArrayLike<number>, m: number, gamma: ArrayLike<number> | null, up: ArrayLike<number>, eps: number,
): NormRef {
  const out: NormRef = {y: [], dx: [], dgamma: new Array(m).fill(0), dbeta: new Array(m).fill(0)};
  for (let s = 0; s < x.length; s += m) {
    const xs = Array.from({length: m}, (_, j) => x[s + j]);
    const r = Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / m + eps);
    const u = xs.map((_, j) => up[s + j] * (gamma ? gamma[j] : 1));
    const ux = u.reduce((a, b, j) => a + b * xs[j], 0);
    for (let j = 0; j < m; j++) {
      out.y.push((xs[j] / r) * (gamma ? gamma[j] : 1));
      out.dx.push(u[j] / r - (xs[j] * ux) / (m * r ** 3));
      out.dgamma[j] += (up[s + j] * xs[j]) / r;
    }
  }
  return out;
}

/** Central finite differences (float64) of the scalar function `f` at `x`, step `h`. */
export function finiteDiff(f: (x: number[]) => number, x: ArrayLike<number>, h = 1e-6): number[] {
  const p = Array.from(x);
  return p.map((v, i) => {
    p[i] = v + h;
    const fp = f(p);
    p[i] = v - h;
    const fm = f(p);
    p[i] = v;
    return (fp - fm) / (2 * h);
  });
}
