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
import {multiplicative} from './multiplicative';
import {constantFactor} from './constant_factor';
import {chainedSchedule} from './chained_schedule';
import {swaSchedule} from './swa_schedule';
import {checkStep, knownOptions, nonNegative, show} from './validate';

export type {ScheduleSpec} from './schedule';
import type {ScheduleSpec} from './schedule';

/** Functions a config names by string (`{type: 'lambda', fn: 'warmup'}`), given in code. */
export interface ResolveScheduleOptions {
  /** named step → value functions for `lambda` specs and `multiplicative` factors */
  lambdas?: Record<string, (step: number) => number>;
}

/**
 * The option keys {@link resolveSchedule} accepts for schedule `type` (undefined for an unknown type).
 * @param type a schedule type, e.g. 'cosine'
 */
export function scheduleOptionKeys(type: string): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(KEYS, type) ? KEYS[type] : undefined;
}

/** Allowed option keys per type (strict: a misspelt option is an error, not a silent default). */
const KEYS: Record<string, readonly string[]> = {
  constant: ['value'],
  step: ['initial', 'stepSize', 'gamma'],
  multiStep: ['initial', 'milestones', 'gamma'],
  exponential: ['initial', 'gamma', 'decaySteps', 'staircase'],
  cosine: ['initial', 'decaySteps', 'final', 'periodic'],
  cosineRestarts: ['initial', 'period', 'periodMult', 'final'],
  oneCycle: ['maxValue', 'totalSteps', 'pctStart', 'anneal', 'divFactor', 'finalDivFactor', 'threePhase'],
  linear: ['initial', 'startFactor', 'endFactor', 'steps'],
  polynomial: ['initial', 'decaySteps', 'power', 'final'],
  cyclic: ['baseValue', 'maxValue', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma'],
  warmupCosine: ['initial', 'peak', 'warmupSteps', 'decaySteps', 'final'],
  inverseSqrt: ['peak', 'warmupSteps'],
  sequence: ['schedules', 'boundaries'],
  multiplicative: ['initial', 'factor'],
  constantFactor: ['initial', 'factor', 'totalIters'],
  chained: ['initial', 'schedules'],
  swa: ['initial', 'swaLr', 'annealEpochs', 'annealStrategy'],
  lambda: ['initial', 'fn'],
};

/** Types whose value scales with `initial` (chained sub-schedules get `initial: 1`). */
const SCALED = new Set(['step', 'multiStep', 'exponential', 'cosine', 'cosineRestarts', 'linear', 'polynomial', 'multiplicative', 'constantFactor', 'lambda']);

/** A step function: given in code, or named in `lambdas`. */
function lookup(what: string, f: unknown, o: ResolveScheduleOptions): (step: number) => number {
  if (typeof f === 'function') return f as (step: number) => number;
  const known = Object.keys(o.lambdas ?? {});
  if (typeof f === 'string' && o.lambdas && Object.prototype.hasOwnProperty.call(o.lambdas, f) && typeof o.lambdas[f] === 'function') return o.lambdas[f];
  throw new Error(`resolveSchedule: ${what} must be a function or the name of one passed in {lambdas} (known: ${known.join(', ') || 'none'}), got ${show(f)}`);
}

function subSpecs(what: string, v: unknown): (ScheduleSpec | number)[] {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`resolveSchedule: ${what} must be an array of specs (at least one), got ${show(v)}`);
  return v;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const builders: Record<string, (o: any, r: ResolveScheduleOptions) => Schedule> = {
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
  sequence: (o, r) => sequence(subSpecs('sequence.schedules', o.schedules).map((s) => resolveSchedule(s, r)), o.boundaries),
  multiplicative: (o, r) => multiplicative({initial: o.initial, factor: typeof o.factor === 'number' ? o.factor : lookup('multiplicative.factor', o.factor, r)}),
  constantFactor,
  swa: swaSchedule,
  chained: (o, r) => chainedSchedule({
    initial: o.initial,
    schedules: subSpecs('chained.schedules', o.schedules).map((s, k) => {
      if (s == null || typeof s !== 'object' || !SCALED.has(s.type)) {
        throw new Error(`resolveSchedule: chained.schedules[${k}] must be a spec of type ${[...SCALED].join(', ')}, got ${show(s)}`);
      }
      if (s.initial !== undefined && s.initial !== 1) {
        throw new Error(`resolveSchedule: chained.schedules[${k}].initial must be 1 or absent (the chain's initial scales it), got ${show(s.initial)}`);
      }
      return resolveSchedule({...s, initial: 1}, r);
    }),
  }),
  lambda: (o, r) => {
    const initial = nonNegative('resolveSchedule: lambda', 'initial', o.initial);
    const f = lookup('lambda.fn', o.fn, r);
    return (step: number) => {
      const m = f(checkStep('resolveSchedule: lambda', step));
      // a NaN or negative factor would reach the optimizer as a silently bad lr
      if (typeof m !== 'number' || !(m >= 0)) {
        throw new Error(`resolveSchedule: lambda.fn(${step}) must return a number >= 0, got ${show(m)}`);
      }
      return initial * m;
    };
  },
};

/** The `type` names {@link resolveSchedule} accepts. */
export const SCHEDULE_TYPES: readonly string[] = Object.keys(builders);

/**
 * Builds a schedule from a JSON spec (config files, CLI flags). A plain number is a constant.
 * Types: constant, step, multiStep, exponential, cosine, cosineRestarts, oneCycle, linear,
 * polynomial, cyclic, warmupCosine, inverseSqrt, sequence, multiplicative, constantFactor,
 * chained, swa, lambda; the options are those of the matching function (`cosine` →
 * {@link cosineDecay}, `linear` → {@link linearRamp}, `constantFactor` → {@link constantFactor},
 * `chained` → {@link chainedSchedule} with specs as `schedules` (their `initial` is set to 1),
 * `swa` → {@link swaSchedule}, …). An unknown option is an error. `{type: 'lambda', initial, fn}`
 * is PyTorch `LambdaLR`: lr(i) = initial · fn(i), with `fn` a function or the name of one
 * passed in `opts.lambdas` (a JSON config names it, the code supplies it); `multiplicative`'s
 * `factor` may also name one. A function passed in is returned unchanged.
 *
 * Same idea as timm `create_scheduler` and Keras `schedules.deserialize`.
 *
 * ```ts
 * const s = resolveSchedule({type: 'cosine', initial: 0.1, decaySteps: 1000, final: 1e-4});
 * const w = resolveSchedule({type: 'sequence', boundaries: [100], schedules: [
 *   {type: 'linear', initial: 0.1, startFactor: 0.01, endFactor: 1, steps: 100},
 *   {type: 'cosine', initial: 0.1, decaySteps: 900}]});
 * const warm = resolveSchedule({type: 'lambda', initial: 0.1, fn: 'warmup'},
 *   {lambdas: {warmup: (i) => Math.min(1, (i + 1) / 100)}});
 * console.log(s(0), w(100), warm(0)); // 0.1 0.1 0.001
 * ```
 * @param spec `{type, ...options}`, a number, or a schedule function
 * @param opts.lambdas functions that `lambda` specs (and `multiplicative` factors) name
 */
export function resolveSchedule(spec: ScheduleSpec | number | Schedule, opts: ResolveScheduleOptions = {}): Schedule {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'number') return constantSchedule(spec);
  if (spec == null || typeof spec !== 'object' || typeof spec.type !== 'string') {
    throw new Error(`resolveSchedule: spec must be a number or an object with a string 'type', got ${show(spec)}`);
  }
  const build = Object.prototype.hasOwnProperty.call(builders, spec.type) ? builders[spec.type] : undefined;
  if (!build) {
    throw new Error(`resolveSchedule: type must be one of ${SCHEDULE_TYPES.join(', ')}, got ${show(spec.type)}`);
  }
  const {type: _type, ...o} = spec;
  knownOptions(`resolveSchedule: ${spec.type}`, o, KEYS[spec.type]);
  return build(o, opts);
}
