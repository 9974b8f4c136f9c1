// Writes one small SVG line chart per learning-rate schedule of @stable-train/lr-schedule into
// docs/schedules/ (linked from packages/lr-schedule/README.md). Run from the repo root:
//   npx tsx tools/scripts/plot-schedules.ts
import {mkdirSync, writeFileSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {
  constantSchedule, cosineDecay, cosineRestarts, cyclic, cyclicMomentum, exponentialDecay, inverseSqrt, linearRamp,
  multiStepDecay, oneCycle, oneCycleMomentum, polynomialDecay, ReduceOnPlateau, type Schedule, sequence, stepDecay,
  warmupCosine,
} from '@stable-train/lr-schedule';

const N = 200;
const OUT = resolve(__dirname, '../../docs/schedules');

/** A minimal line chart: axes, min/max labels, the title, one polyline. */
function svg(title: string, ys: number[]): string {
  const W = 320, H = 180, L = 46, R = 10, T = 24, B = 24;
  const lo = Math.min(0, ...ys), hi = Math.max(...ys) || 1;
  const x = (i: number) => L + ((W - L - R) * i) / (ys.length - 1);
  const y = (v: number) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  const pts = ys.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const fmt = (v: number) => (v === 0 ? '0' : Math.abs(v) < 1e-2 ? v.toExponential(1) : String(+v.toPrecision(3)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="14" font-size="12" font-weight="bold">${title}</text>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/>`,
    `<text x="${L - 4}" y="${T + 4}" text-anchor="end">${fmt(hi)}</text>`,
    `<text x="${L - 4}" y="${H - B + 3}" text-anchor="end">${fmt(lo)}</text>`,
    `<text x="${L}" y="${H - 8}">0</text>`,
    `<text x="${W - R}" y="${H - 8}" text-anchor="end">step ${ys.length - 1}</text>`,
    `<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${pts}"/>`,
    `</svg>`,
    '',
  ].join('\n');
}

function plateauCurve(): number[] {
  // a synthetic validation loss that stops improving every ~40 steps
  const p = new ReduceOnPlateau({initial: 0.1, factor: 0.5, patience: 10, cooldown: 5});
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    out.push(p.value);
    p.step(1 / (1 + (i % 40)) + 0.5 * Math.floor(i / 40));
  }
  return out;
}

const plots: [string, string, Schedule | number[]][] = [
  ['constant_schedule', 'constantSchedule(0.1)', constantSchedule(0.1)],
  ['step_decay', 'stepDecay({stepSize: 50, gamma: 0.5})', stepDecay({initial: 0.1, stepSize: 50, gamma: 0.5})],
  ['multi_step_decay', 'multiStepDecay([60, 120, 160])', multiStepDecay({initial: 0.1, milestones: [60, 120, 160], gamma: 0.2})],
  ['exponential_decay', 'exponentialDecay({gamma: 0.98})', exponentialDecay({initial: 0.1, gamma: 0.98})],
  ['cosine_decay', 'cosineDecay({decaySteps: 150})', cosineDecay({initial: 0.1, decaySteps: 150, final: 0.005})],
  ['cosine_decay_periodic', 'cosineDecay({decaySteps: 60, periodic: true})', cosineDecay({initial: 0.1, decaySteps: 60, final: 0.005, periodic: true})],
  ['cosine_restarts', 'cosineRestarts({period: 20, periodMult: 2})', cosineRestarts({initial: 0.1, period: 20, periodMult: 2})],
  ['one_cycle', 'oneCycle({totalSteps: 200})', oneCycle({maxValue: 0.1, totalSteps: N})],
  ['one_cycle_three_phase', 'oneCycle({threePhase: true})', oneCycle({maxValue: 0.1, totalSteps: N, threePhase: true})],
  ['one_cycle_momentum', 'oneCycleMomentum({totalSteps: 200})', oneCycleMomentum({maxValue: 0.1, totalSteps: N})],
  ['linear_ramp', 'linearRamp({startFactor: 0.1, steps: 50})', linearRamp({initial: 0.1, startFactor: 0.1, endFactor: 1, steps: 50})],
  ['polynomial_decay', 'polynomialDecay({power: 2, decaySteps: 180})', polynomialDecay({initial: 0.1, decaySteps: 180, power: 2})],
  ['cyclic_triangular', "cyclic({mode: 'triangular'})", cyclic({baseValue: 0.01, maxValue: 0.1, stepSizeUp: 25})],
  ['cyclic_triangular2', "cyclic({mode: 'triangular2'})", cyclic({baseValue: 0.01, maxValue: 0.1, stepSizeUp: 20, stepSizeDown: 30, mode: 'triangular2'})],
  ['cyclic_exp_range', "cyclic({mode: 'exp_range', gamma: 0.99})", cyclic({baseValue: 0.01, maxValue: 0.1, stepSizeUp: 15, mode: 'exp_range', gamma: 0.99})],
  ['cyclic_momentum', 'cyclicMomentum({stepSizeUp: 25})', cyclicMomentum({stepSizeUp: 25})],
  ['sequence', 'sequence([linearRamp, cosineDecay], [20])', sequence([linearRamp({initial: 0.1, startFactor: 0.1, endFactor: 1, steps: 20}), cosineDecay({initial: 0.1, decaySteps: 180})], [20])],
  ['warmup_cosine', 'warmupCosine({warmupSteps: 30, decaySteps: 200})', warmupCosine({peak: 0.1, warmupSteps: 30, decaySteps: N, final: 0.001})],
  ['inverse_sqrt', 'inverseSqrt({warmupSteps: 20})', inverseSqrt({peak: 0.1, warmupSteps: 20})],
  ['reduce_on_plateau', 'ReduceOnPlateau({patience: 10, factor: 0.5})', plateauCurve()],
];

mkdirSync(OUT, {recursive: true});
for (const [file, title, s] of plots) {
  const ys = Array.isArray(s) ? s : Array.from({length: N}, (_, i) => s(i));
  writeFileSync(join(OUT, `${file}.svg`), svg(title, ys));
}
console.log(`plot-schedules: wrote ${plots.length} SVGs to ${OUT}`);
