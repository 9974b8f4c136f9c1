import {ReduceOnPlateau} from './reduce_on_plateau';

describe('ReduceOnPlateau', () => {
  it('reduces after patience bad steps, respects minValue, and round-trips its state', () => {
    const p = new ReduceOnPlateau({initial: 1, patience: 1, factor: 0.5, minValue: 0.3});
    const sched = p.schedule;
    expect([p.step(1), p.step(1), p.step(1)]).toEqual([1, 1, 0.5]); // 2nd bad step > patience 1
    expect(sched(123)).toBe(0.5);
    const saved = p.getState();
    expect([p.step(2), p.step(2)]).toEqual([0.5, 0.3]); // max(0.25, minValue 0.3)
    expect(p.step(2)).toBe(0.3);
    p.setState(saved);
    expect(p.value).toBe(0.5);
    expect(p.getState()).toEqual(saved);
  });
  it('counts NaN as no improvement, like PyTorch', () => {
    const p = new ReduceOnPlateau({initial: 1, patience: 0});
    p.step(1);
    expect(p.step(NaN)).toBeCloseTo(0.1, 15);
  });
  it('rejects a non-number metric', () => {
    const p = new ReduceOnPlateau({initial: 1});
    expect(() => p.step('1' as unknown as number)).toThrow('ReduceOnPlateau.step: metric must be a number, got \"1\"');
  });
});
