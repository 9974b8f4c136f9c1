/**
 * A small seeded pseudo-random generator (mulberry32, Tommy Ettinger 2017) for data shuffling
 * and synthetic data, so that a run and its resume see the same data order.
 *
 * ```ts
 * const rng = createRng(42);
 * rng.next(); // a float in [0, 1)
 * ```
 * @param seed any 32-bit integer
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`createRng: seed must be an integer, got ${seed}`);
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    // Box–Muller; 1 - u keeps log() away from 0.
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const int = (n: number): number => Math.floor(next() * n);
  const permutation = (n: number): Int32Array => {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  };
  return {next, normal, int, permutation, get state() { return a; }, set state(s: number) { a = s >>> 0; }};
}

/** A seeded generator: uniform floats, normals, integers and permutations. */
export interface Rng {
  next(): number;
  normal(): number;
  int(n: number): number;
  permutation(n: number): Int32Array;
  /** The internal 32-bit state (checkpoints store it). */
  state: number;
}
