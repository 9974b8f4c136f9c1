// Host (float64) normal-distribution helpers for the truncated normal: erf, Φ, φ and the moments
// of a truncated normal. Accurate to ~1e-15; not exported from the package.

const SQRT_PI = Math.sqrt(Math.PI);

/** erf(x): Maclaurin-type series (all terms positive, no cancellation) for |x| < 2.5, else 1 − erfc. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 2.5) return Math.sign(x) * (1 - erfcLarge(ax));
  // erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.sign(x) * (2 / SQRT_PI) * Math.exp(-ax * ax) * sum;
}

/** erfc(x) for x >= 2.5 by its continued fraction, evaluated backward from a fixed depth. */
function erfcLarge(x: number): number {
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  let f = x;
  for (let k = 120; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** Standard normal CDF Φ(x) = (1 + erf(x/√2))/2. */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Number.isFinite(x) ? Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) : 0;
}

/**
 * Mean and std of N(mean, std²) restricted to [a, b] (absolute bounds):
 * α = (a−μ)/σ, β = (b−μ)/σ, Z = Φ(β) − Φ(α),
 * E = μ + σ(φ(α) − φ(β))/Z, Var = σ²[1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²].
 */
export function truncatedNormalMoments(mean: number, std: number, a: number, b: number): {mean: number; std: number} {
  const al = (a - mean) / std;
  const be = (b - mean) / std;
  // Z via the upper tail when both bounds are far right (avoids 1 − 1 cancellation)
  const z = al > 0 ? normalCdf(-al) - normalCdf(-be) : normalCdf(be) - normalCdf(al);
  const pa = normalPdf(al);
  const pb = normalPdf(be);
  const aPa = Number.isFinite(al) ? al * pa : 0;
  const bPb = Number.isFinite(be) ? be * pb : 0;
  const d = (pa - pb) / z;
  return {mean: mean + std * d, std: std * Math.sqrt(1 + (aPa - bPb) / z - d * d)};
}
