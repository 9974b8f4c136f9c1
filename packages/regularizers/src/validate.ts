// Argument checks shared by the package (internal). Every check runs before any tensor is made
// and throws a message naming the function, the argument and the bad value.

/** Formats a bad value for an error message: strings quoted, arrays and objects as JSON. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** Throws unless `v` is a finite number >= 0. */
export function checkNonNegative(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`${fn}: ${arg} must be a finite number >= 0, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is a finite number > 0. */
export function checkPositive(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${fn}: ${arg} must be a finite number > 0, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `v` is an integer >= `min`. */
export function checkInteger(fn: string, arg: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${fn}: ${arg} must be an integer >= ${min}, got ${show(v)}`);
  }
  return v;
}

/** Throws unless `opts` is undefined or a plain object whose keys are all in `allowed`. */
export function checkOptions(fn: string, arg: string, opts: unknown, allowed: string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${fn}: ${arg} must be an object, got ${show(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new Error(`${fn}: unknown option ${show(k)} in ${arg} (allowed: ${allowed.join(', ')})`);
    }
  }
}
