import {constantSchedule} from './constant_schedule';
import {cosineDecay} from './cosine_decay';
import {cosineRestarts} from './cosine_restarts';
import {cyclic} from './cyclic';
import {exponentialDecay} from './exponential_decay';
import {inverseSqrt} from './inverse_sqrt';
import {linearRamp} from './linear_ramp';
import {multiStepDecay} from './multi_step_decay';
import {oneCycle} from './one_cycle';
import {polynomialDecay} from './polynomial_decay';
import type {Schedule} from './schedule';
import {sequence} from './sequence';
import {stepDecay} from './step_decay';
import {warmupCosine} from './warmup_cosine';

/**
 * A schedule described by plain JSON: `type` names the schedule, the other fields are its
 * options; `{type: 'constant', value}`; `{type: 'sequence', schedules: [spec, ...], boundaries}`.
 */
export type ScheduleSpec = {type: string; [option: string]: unknown};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const builders: Record<string, (o: any) => Schedule> = {
  constant: (o) => constantSchedule(o.value),
  step: stepDecay,
  multiStep: multiStepDecay,
  exponential: exponentialDecay,
  cosine: cosineDecay,
  cosineRestarts,
  oneCycle,
  linear: linearRamp,
  polynomial: polynomialDecay,
  cyclic,
  warmupCosine,
  inverseSqrt,
  sequence: (o) => {
    if (!Array.isArray(o.schedules)) {
      throw new Error(`resolveSchedule: sequence.schedules must be an array of specs, got ${String(o.schedules)}`);
    }
    return sequence(o.schedules.map((s: ScheduleSpec | number) => resolveSchedule(s)), o.boundaries);
  },
};

/** The `type` names {@link resolveSchedule} accepts. */
export const SCHEDULE_TYPES: readonly string[] = Object.keys(builders);

/**
 * Builds a schedule from a JSON spec (config files, CLI flags). A plain number is a constant.
 * Types: constant, step, multiStep, exponential, cosine, cosineRestarts, oneCycle, linear,
 * polynomial, cyclic, warmupCosine, inverseSqrt, sequence; the options are those of the
 * matching function (`cosine` → {@link cosineDecay}, `linear` → {@link linearRamp}, …).
 * A function passed in is returned unchanged.
 *
 * Same idea as timm `create_scheduler` and Keras `schedules.deserialize`.
 *
 * ```ts
 * const s = resolveSchedule({type: 'cosine', initial: 0.1, decaySteps: 1000, final: 1e-4});
 * const w = resolveSchedule({type: 'sequence', boundaries: [100], schedules: [
 *   {type: 'linear', initial: 0.1, startFactor: 0.01, endFactor: 1, steps: 100},
 *   {type: 'cosine', initial: 0.1, decaySteps: 900}]});
 * ```
 * @param spec `{type, ...options}`, a number, or a schedule function
 */
export function resolveSchedule(spec: ScheduleSpec | number | Schedule): Schedule {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'number') return constantSchedule(spec);
  if (spec == null || typeof spec !== 'object' || typeof spec.type !== 'string') {
    throw new Error(`resolveSchedule: spec must be a number or an object with a string 'type', got ${JSON.stringify(spec)}`);
  }
  const build = Object.prototype.hasOwnProperty.call(builders, spec.type) ? builders[spec.type] : undefined;
  if (!build) {
    throw new Error(`resolveSchedule: unknown type '${spec.type}'; expected one of ${SCHEDULE_TYPES.join(', ')}`);
  }
  const {type: _type, ...opts} = spec;
  return build(opts);
}
