import {InvalidArgumentError} from 'commander';

/** Help text of the CLI's `--threads` option. */
export const THREADS_HELP = "WASM threads: an integer >= 1 or 'auto' (the cores this machine reports); default 1";

/**
 * Parses `--threads`: `'auto'` or an integer >= 1 (passed to `setupBackend({threads})`).
 * @param value the option's text
 * @returns `'auto'` or the integer
 */
export function parseThreads(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`--threads must be an integer >= 1 or 'auto', got ${JSON.stringify(value)}`);
  }
  return n;
}
