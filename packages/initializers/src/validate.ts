// Argument checks shared by the initializers. Each throws before any tensor is made, with a
// message that names the function, the argument and the bad value.

/** Formats a bad value for an error message (`NaN`, `-1`, `'foo'`, `[3,0]`). */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'undefined' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A shape: an array of positive integers (a zero-sized weight cannot be initialised). */
export function checkShape(fn: string, shape: unknown, minRank = 0): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${fn}: shape must be an array of positive integers, got ${show(shape)}`);
  }
  if (shape.length < minRank) {
    throw new Error(`${fn}: shape must have rank >= ${minRank}, got ${show(shape)} (rank ${shape.length})`);
  }
  return shape as number[];
}

/** A finite number, optionally > 0 or >= 0. */
export function checkNumber(fn: string, name: string, v: unknown, rule: 'finite' | '> 0' | '>= 0' = 'finite'): number {
  const ok =
    typeof v === 'number' && Number.isFinite(v) && (rule === 'finite' || (rule === '> 0' ? v > 0 : v >= 0));
  if (!ok) {
    const what = rule === 'finite' ? 'a finite number' : `a finite number ${rule}`;
    throw new Error(`${fn}: ${name} must be ${what}, got ${show(v)}`);
  }
  return v as number;
}

/** An integer >= min. */
export function checkInt(fn: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${fn}: ${name} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(fn: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`${fn}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** An options argument: undefined or a plain object. */
export function checkOptions<T extends object>(fn: string, opts: unknown): Partial<T> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${fn}: options must be an object, got ${show(opts)}`);
  }
  return opts as Partial<T>;
}
