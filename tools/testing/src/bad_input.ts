// Helpers for property-based bad-input tests: "a clear error or a correct result, never a
// silently wrong one", and no tensor leak either way.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';

// The bad-input properties run with a fixed seed so that a CI run is reproducible (and a landing
// does not depend on luck); FC_SEED=<n> picks another seed, FC_SEED=random a fresh one per run
// (how new hostile cases are hunted for locally).
const seedEnv = process.env.FC_SEED;
if (seedEnv !== 'random') fc.configureGlobal({...fc.readConfigureGlobal(), seed: seedEnv ? Number(seedEnv) : 20261203});

/** Numbers that break naive checks: NaN, ±Infinity, negatives, zeros, tiny, huge, fractions. */
export const EDGE_NUMBERS = [NaN, Infinity, -Infinity, -1, -0.5, 0, -0, 1e-300, 0.5, 1.5, 2 ** 31, 1e300] as const;
/** Values of the wrong type for any argument. */
export const WRONG_TYPES: unknown[] = [null, undefined, '1', 'abc', true, [], [1, 2], {}, () => 1, Symbol('s')];

/** A hostile value for a number-valued argument (edge numbers, wrong types, random doubles). */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...EDGE_NUMBERS),
  fc.constantFrom<unknown>(...WRONG_TYPES),
  fc.double(),
  fc.integer({min: -5, max: 5}),
);
/** A hostile value for any argument. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileNumber, fc.string({maxLength: 4}));

/** Makes a hostile tensor on demand (int32/bool dtypes, NaN/Inf values, scalars, empty shapes). */
export type TensorMaker = () => tf.Tensor;
export const hostileTensor: fc.Arbitrary<TensorMaker> = fc.constantFrom<TensorMaker>(
  () => tf.tensor1d([3, 4], 'int32'),
  () => tf.tensor1d([1, 0], 'bool'),
  () => tf.tensor1d([NaN, 1]),
  () => tf.tensor1d([Infinity, -Infinity]),
  () => tf.scalar(2),
  () => tf.zeros([0]),
  () => tf.zeros([2, 0]),
  () => tf.ones([2, 3]),
  () => tf.tensor2d([[1e30, -1e30], [3e38, 1]]),
);

/** Whether every number in a (nested) result is finite: tensors are read back, others walked. */
export function allFiniteDeep(r: unknown, seen = new Set<unknown>()): boolean {
  if (typeof r === 'number') return Number.isFinite(r);
  if (r instanceof tf.Tensor) {
    if (r.dtype === 'string') return true;
    return Array.from(r.dataSync() as ArrayLike<number>).every((v) => Number.isFinite(v));
  }
  if (r === null || typeof r !== 'object' || seen.has(r)) return true;
  seen.add(r);
  return Object.values(r as object).every((v) => allFiniteDeep(v, seen));
}

function disposeDeep(r: unknown): void {
  if (r === null || typeof r !== 'object') return;
  if (typeof (r as {dispose?: unknown}).dispose === 'function' && !(r instanceof tf.Tensor)) {
    (r as {dispose(): void}).dispose();
    return;
  }
  tf.dispose(r as tf.TensorContainer);
}

export interface ClearOrCorrectOptions {
  /** accepts a returned result (default: every number in it is finite); may throw to fail */
  check?: (result: unknown) => boolean | void;
  /** tensors the call may keep on purpose (e.g. a module's variables it disposes itself) */
  allowed?: number;
  /** other accepted message prefixes (a resolver may pass on the error of the function it resolved) */
  prefixes?: readonly string[];
}

/**
 * Calls `call()` and checks the contract for bad input: it either throws an Error whose message
 * starts with `fn` (then `:`, `.`, `(` or ` '`) and names one of `params`, or it returns a result
 * that `check` accepts. The result's tensors (and modules, via `dispose()`) are freed; then
 * `tf.memory().numTensors` must be back where it was. Returns 'threw' or 'ok'; throws an Error
 * describing the violation otherwise (so it can be used inside `fc.property`).
 */
export function clearOrCorrect(
  fn: string,
  params: readonly string[],
  call: () => unknown,
  opts: ClearOrCorrectOptions = {},
): 'threw' | 'ok' {
  const before = tf.memory().numTensors;
  let outcome: 'threw' | 'ok';
  try {
    const result = call();
    let ok: boolean | void;
    try {
      ok = (opts.check ?? allFiniteDeep)(result);
    } finally {
      disposeDeep(result);
    }
    if (ok === false) throw new Error(`${fn}: returned a silently wrong result`);
    outcome = 'ok';
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`${fn}: threw a non-Error ${String(e)}`);
    if (e.message === `${fn}: returned a silently wrong result`) throw e;
    const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const names = [fn, ...(opts.prefixes ?? [])].map(esc).join('|');
    if (!new RegExp(`^(${names})([:.(]| ')`).test(e.message)) {
      throw new Error(`${fn}: unclear error (must start with '${fn}:'): ${e.message}`);
    }
    if (params.length > 0 && !params.some((p) => e.message.includes(p))) {
      throw new Error(`${fn}: error names none of ${params.join(', ')}: ${e.message}`);
    }
    outcome = 'threw';
  }
  const leaked = tf.memory().numTensors - before - (opts.allowed ?? 0);
  if (leaked > 0) throw new Error(`${fn}: ${leaked} tensor(s) leaked (outcome: ${outcome})`);
  return outcome;
}
