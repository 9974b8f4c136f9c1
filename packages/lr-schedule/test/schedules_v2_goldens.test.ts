// Every sequence of schedules_v2.json (PyTorch 1.13, float64; 40 steps): MultiplicativeLR,
// ConstantLR, ChainedScheduler, CyclicLR (+ momentum), SWALR, built through resolveSchedule.
import {loadGolden} from '@stable-train/testing';
import {cyclicMomentum, resolveSchedule} from '../src';
import {torchToSpec} from './torch_specs';

const golden = loadGolden('schedules_v2');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const entries: any[] = golden.schedules;
const ATOL = 1e-12; // README-v2 §2: closed forms agree with PyTorch to < 1e-12

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe('schedules_v2.json', () => {
  it('covers the 11 PyTorch sequences of 40 steps', () => {
    expect(entries.length).toBe(11);
    expect(golden.n_steps).toBe(40);
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s: lr[i] for i = 0..39', (_name, e) => {
    const s = resolveSchedule(torchToSpec(e.class, e.constructor_args, e.optimizer.lr)); // optimizer.lr is authoritative
    const err = maxAbsDiff(e.lr.map((_: number, i: number) => s(i)), e.lr);
    // eslint-disable-next-line no-console
    if (process.env.REPORT_ERR) console.log(`${e.name}: max abs err ${err}`);
    expect(err).toBeLessThanOrEqual(ATOL);
  });

  const withMomentum = entries.filter((e) => e.momentum);
  it.each(withMomentum.map((e) => [e.name, e] as const))('%s: momentum[i]', (_name, e) => {
    const a = e.constructor_args;
    const s = cyclicMomentum({
      stepSizeUp: a.step_size_up, stepSizeDown: a.step_size_down ?? undefined, mode: a.mode, gamma: a.gamma,
      baseMomentum: a.base_momentum, maxMomentum: a.max_momentum,
    });
    expect(maxAbsDiff(e.momentum.map((_: number, i: number) => s(i)), e.momentum)).toBeLessThanOrEqual(ATOL);
  });
});
