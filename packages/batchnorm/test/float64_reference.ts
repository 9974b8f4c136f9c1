// Test helper: golden-free float64 batch-norm references (channels last), computed from the
// float32 inputs, for the options the PyTorch reference file has no case for (affine=False,
// momentum=None, track_running_stats=False).

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
