import {cyclicMomentum} from './cyclic_momentum';
import {oneCycleMomentum} from './one_cycle_momentum';
import {resolveSchedule, scheduleOptionKeys, type ScheduleSpec} from './resolve_schedule';
import type {Schedule} from './schedule';
import {show} from './validate';

/**
 * Rebuilds a schedule from the spec {@link scheduleSpec} gave: the `resolveSchedule` types plus
 * the momentum schedules `oneCycleMomentum` and `cyclicMomentum`. The result carries the spec
 * again, so a schedule survives any number of save/load round trips.
 *
 * ```ts
 * const s = scheduleFromSpec(scheduleSpec(cosineDecay({initial: 0.1, decaySteps: 100}))!);
 * console.log(s(50)); // 0.05
 * ```
 * @param spec `{type, ...options}`
 */
export function scheduleFromSpec(spec: ScheduleSpec): Schedule {
  if (spec == null || typeof spec !== 'object' || typeof spec.type !== 'string') {
    throw new Error(`scheduleFromSpec: spec must be an object with a string 'type', got ${show(spec)}`);
  }
  const {type, ...opts} = spec;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  if (type === 'oneCycleMomentum') return oneCycleMomentum(opts as any);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  if (type === 'cyclicMomentum') return cyclicMomentum(opts as any);
  // A builder ignores options that are not its own (oneCycle({...shared, baseMomentum}) is fine),
  // but they are in its spec; drop them here so that resolveSchedule's strict check passes.
  const keys = scheduleOptionKeys(type);
  const own = keys ? Object.fromEntries(Object.entries(opts).filter(([k]) => keys.includes(k))) : opts;
  return resolveSchedule({type, ...own});
}
