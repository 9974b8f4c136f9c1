// Internal: argument checks of this folder's layers. They read options only, so every error is
// thrown before any tensor is made; each message names the layer factory, the argument and the value.
const show = (v: unknown): string => {
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** Throws unless `args` is undefined or a plain object. */
export function checkArgs(where: string, args: unknown): void {
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    throw new Error(`${where}: args must be an object, got ${show(args)}`);
  }
}

/** `v` or `fallback`; throws unless it is a finite number > 0. */
export function positive(where: string, arg: string, v: unknown, fallback: number): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
    throw new Error(`${where}: ${arg} must be a finite number > 0, got ${show(v)}`);
  }
  return x;
}

/** `v` or `fallback`; throws unless it is a number in [lo, hi]. */
export function inRange(where: string, arg: string, v: unknown, fallback: number, lo: number, hi: number): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !(x >= lo && x <= hi)) {
    throw new Error(`${where}: ${arg} must be a number in [${lo}, ${hi}], got ${show(v)}`);
  }
  return x;
}

/** `v` or `fallback`; throws unless it is an integer >= min. */
export function integer(where: string, arg: string, v: unknown, fallback: number | undefined, min = 1): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
    throw new Error(`${where}: ${arg} must be an integer >= ${min}, got ${show(v)}`);
  }
  return x;
}

/** `v` or `fallback`; throws unless it is a boolean. */
export function bool(where: string, arg: string, v: unknown, fallback: boolean): boolean {
  const x = v ?? fallback;
  if (typeof x !== 'boolean') throw new Error(`${where}: ${arg} must be true or false, got ${show(v)}`);
  return x;
}

/** `v` or `fallback`; throws unless it is one of `allowed`. */
export function oneOf<T extends string>(where: string, arg: string, v: unknown, fallback: T, allowed: readonly T[]): T {
  const x = v ?? fallback;
  if (!allowed.includes(x as T)) {
    throw new Error(`${where}: ${arg} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`);
  }
  return x as T;
}

/** Channels-last layers normalise over the last axis only: `axis` must be -1 (or rank - 1). */
export function lastAxis(where: string, v: unknown): number {
  const x = v ?? -1;
  if (typeof x !== 'number' || !Number.isInteger(x)) {
    throw new Error(`${where}: axis must be -1 (the channels-last axis), got ${show(v)}`);
  }
  return x;
}

export {show};
