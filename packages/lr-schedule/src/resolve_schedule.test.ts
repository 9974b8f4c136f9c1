import {cosineDecay} from './cosine_decay';
import {resolveSchedule, SCHEDULE_TYPES} from './resolve_schedule';

describe('resolveSchedule', () => {
  it('builds the same schedule as the function', () => {
    const a = resolveSchedule({type: 'cosine', initial: 0.1, decaySteps: 100, final: 1e-3});
    const b = cosineDecay({initial: 0.1, decaySteps: 100, final: 1e-3});
    for (const i of [0, 17, 50, 100, 150]) expect(a(i)).toBe(b(i));
  });
  it('accepts numbers, functions and nested sequences', () => {
    expect(resolveSchedule(0.5)(10)).toBe(0.5);
    const f = (i: number) => i;
    expect(resolveSchedule(f)).toBe(f);
    const s = resolveSchedule({type: 'sequence', boundaries: [2], schedules: [0.1, {type: 'constant', value: 0.2}]});
    expect([s(0), s(2)]).toEqual([0.1, 0.2]);
  });
  it('lists every type and rejects bad specs', () => {
    expect(SCHEDULE_TYPES).toHaveLength(18);
    expect(() => resolveSchedule({} as never)).toThrow("resolveSchedule: spec must be a number or an object with a string 'type', got an object {}");
    expect(() => resolveSchedule({type: 'sequence', schedules: 3})).toThrow('sequence.schedules must be an array');
  });
});
