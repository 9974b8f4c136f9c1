// Every sequence of lr_schedule.json (PyTorch 1.13, float64) reproduced to absolute 1e-12.
import {loadGolden} from '@stable-train/testing';
import {cyclicMomentum, oneCycleMomentum, ReduceOnPlateau, resolveSchedule} from '../src';
import {torchToSpec} from './torch_specs';

interface Entry {
  name: string;
  class: string;
  constructor_args: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  lr: number[];
  momentum?: number[];
  metrics?: number[];
  state_after_step?: {best: number; num_bad_epochs: number; cooldown_counter: number; lr_after: number}[];
  num_reductions?: number;
}

const golden = loadGolden('lr_schedule');
const entries: Entry[] = golden.schedules;
const baseLr: number = golden.base_lr;
const ATOL = 1e-12; // goldens README §1: lr sequences are pure float64 scalar math

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe('lr_schedule.json', () => {
  it('covers the 19 PyTorch sequences', () => {
    expect(entries.length).toBe(19);
    expect(golden.n_steps).toBe(200);
  });

  const plain = entries.filter((e) => !e.class.endsWith('ReduceLROnPlateau'));
  it.each(plain.map((e) => [e.name, e] as const))('%s: lr[i] for i = 0..199', (_name, e) => {
    const s = resolveSchedule(torchToSpec(e.class, e.constructor_args, baseLr));
    const ours = e.lr.map((_, i) => s(i));
    expect(maxAbsDiff(ours, e.lr)).toBeLessThanOrEqual(ATOL);
  });

  const withMomentum = entries.filter((e) => e.momentum);
  it('has momentum sequences for OneCycleLR and CyclicLR', () => expect(withMomentum.length).toBe(6));
  it.each(withMomentum.map((e) => [e.name, e] as const))('%s: momentum[i]', (_name, e) => {
    const a = e.constructor_args;
    const s = e.class.endsWith('OneCycleLR')
      ? oneCycleMomentum({
          maxValue: a.max_lr, totalSteps: a.total_steps, pctStart: a.pct_start, anneal: a.anneal_strategy,
          divFactor: a.div_factor, finalDivFactor: a.final_div_factor, threePhase: a.three_phase,
          baseMomentum: a.base_momentum, maxMomentum: a.max_momentum,
        })
      : cyclicMomentum({
          stepSizeUp: a.step_size_up, stepSizeDown: a.step_size_down ?? undefined, mode: a.mode, gamma: a.gamma,
          baseMomentum: a.base_momentum, maxMomentum: a.max_momentum,
        });
    const ours = e.momentum!.map((_, i) => s(i));
    expect(maxAbsDiff(ours, e.momentum!)).toBeLessThanOrEqual(ATOL);
  });

  const plateaus = entries.filter((e) => e.class.endsWith('ReduceLROnPlateau'));
  it.each(plateaus.map((e) => [e.name, e] as const))('%s: lr and the state trace', (_name, e) => {
    const a = e.constructor_args;
    const p = new ReduceOnPlateau({
      initial: baseLr, mode: a.mode, factor: a.factor, patience: a.patience, threshold: a.threshold,
      thresholdMode: a.threshold_mode, cooldown: a.cooldown, minValue: a.min_lr, eps: a.eps,
    });
    const lrs: number[] = [];
    e.metrics!.forEach((m, i) => {
      lrs.push(p.value); // lr[i] is read before step(metrics[i])
      const returned = p.step(m);
      const st = p.getState();
      const want = e.state_after_step![i];
      expect(returned).toBe(st.value);
      expect([st.best, st.numBadSteps, st.cooldownCounter]).toEqual([want.best, want.num_bad_epochs, want.cooldown_counter]);
      expect(Math.abs(st.value - want.lr_after)).toBeLessThanOrEqual(ATOL);
    });
    expect(maxAbsDiff(lrs, e.lr)).toBeLessThanOrEqual(ATOL);
    expect(p.getState().numReductions).toBe(e.num_reductions);
  });
});
