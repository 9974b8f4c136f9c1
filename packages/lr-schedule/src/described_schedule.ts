import type {Schedule, ScheduleSpec} from './schedule';
import {show} from './validate';

/** Property under which a schedule keeps the JSON spec that rebuilds it. */
const SPEC = 'spec';

/** A {@link Schedule} that carries the JSON spec it was built from (see {@link scheduleSpec}). */
export type DescribedSchedule = Schedule & {readonly spec: ScheduleSpec};

/**
 * Attaches `spec` (`{type, ...options}`, the form `resolveSchedule` reads) to the schedule `s`
 * as a read-only, non-enumerable `spec` property, so optimizers that save their config
 * (tfjs-layers `model.save({includeOptimizer: true})`) can write the schedule and rebuild it.
 * Undefined options are dropped. Internal to the schedule builders; returns `s`.
 */
export function describedSchedule(spec: ScheduleSpec, s: Schedule): DescribedSchedule {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || typeof spec.type !== 'string') {
    throw new Error(`describedSchedule: spec must be an object with a string 'type', got ${show(spec)}`);
  }
  if (typeof s !== 'function') throw new Error(`describedSchedule: s must be a schedule function, got ${show(s)}`);
  const clean: ScheduleSpec = {type: spec.type};
  for (const [k, v] of Object.entries(spec)) if (v !== undefined) clean[k] = v;
  Object.defineProperty(s, SPEC, {value: clean, enumerable: false, writable: false});
  return s as DescribedSchedule;
}

/**
 * The JSON spec of a schedule built by this package (`cosineDecay(...)`, `sequence(...)` of such
 * schedules, …), a copy; `undefined` for a hand-written function, which cannot be saved.
 *
 * ```ts
 * console.log(scheduleSpec(cosineDecay({initial: 0.1, decaySteps: 100})));
 * // {type: 'cosine', initial: 0.1, decaySteps: 100}
 * ```
 * @param s a schedule
 */
export function scheduleSpec(s: Schedule): ScheduleSpec | undefined {
  if (typeof s !== 'function') throw new Error(`scheduleSpec: s must be a schedule function, got ${show(s)}`);
  const spec = (s as Partial<DescribedSchedule>)[SPEC];
  return spec == null ? undefined : (JSON.parse(JSON.stringify(spec)) as ScheduleSpec);
}
